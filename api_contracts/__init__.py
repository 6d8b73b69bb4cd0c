"""The API's contracts: one Pydantic model per `api` view, and a small typed client over `postgrest`."""

from api_contracts.client import BiDashClient
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
    "BiDashClient",
    "Customer",
    "CustomerOrder",
    "CustomerSegment",
    "DailySales",
    "DataStatus",
    "Employee",
    "SalesByState",
]
