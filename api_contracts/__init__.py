"""The API's contracts: one Pydantic model per `api` view, and a small typed client over `postgrest`."""

from api_contracts.client import ApiError, BiDashClient
from api_contracts.models import (
    RESOURCES,
    Customer,
    CustomerOrder,
    CustomerSegment,
    DailySales,
    DataStatus,
    Employee,
    SalesByState,
)

__all__ = [
    "RESOURCES",
    "ApiError",
    "BiDashClient",
    "Customer",
    "CustomerOrder",
    "CustomerSegment",
    "DailySales",
    "DataStatus",
    "Employee",
    "SalesByState",
]
