"""customer_360 ingestion: a folder of CSV files in the Olist e-commerce layout, loaded atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from api_contracts.vocabulary import ORDER_STATUSES
from orchestration.errors import PlatformError
from orchestration.ingest.csv_tables import (
    Column,
    CsvTable,
    Parser,
    between,
    decimal,
    integer,
    load_csv_table,
    one_of,
)
from orchestration.ingest.csv_tables import text as txt
from orchestration.ingest.csv_tables import timestamp as ts
from orchestration.ingest.summary import LoadSummary
from orchestration.runtime.database import ConnectionInfo


def _table(source: str, table: str, columns: list[Column], key: list[str]) -> CsvTable:
    return CsvTable(source=source, table=table, columns=columns, key=key, domain="customer_360")


def _c(name: str, parse: Parser = txt, required: bool = False) -> Column:
    return Column(name, parse, required)


# file name -> layout, in load order (the order does not matter for correctness: raw has no foreign keys)
OLIST_FILES: dict[str, CsvTable] = {
    "olist_customers_dataset.csv": _table(
        "olist_customers",
        "olist_customers",
        [
            _c("customer_id", required=True),
            _c("customer_unique_id", required=True),
            _c("customer_zip_code_prefix"),
            _c("customer_city"),
            _c("customer_state"),
        ],
        ["customer_id"],
    ),
    "olist_orders_dataset.csv": _table(
        "olist_orders",
        "olist_orders",
        [
            _c("order_id", required=True),
            _c("customer_id", required=True),
            _c("order_status", one_of(*ORDER_STATUSES), required=True),
            _c("order_purchase_timestamp", ts, required=True),
            _c("order_approved_at", ts),
            _c("order_delivered_carrier_date", ts),
            _c("order_delivered_customer_date", ts),
            _c("order_estimated_delivery_date", ts),
        ],
        ["order_id"],
    ),
    "olist_order_items_dataset.csv": _table(
        "olist_order_items",
        "olist_order_items",
        [
            _c("order_id", required=True),
            _c("order_item_id", integer, required=True),
            _c("product_id"),
            _c("seller_id"),
            _c("shipping_limit_date", ts),
            _c("price", decimal, required=True),
            _c("freight_value", decimal, required=True),
        ],
        ["order_id", "order_item_id"],
    ),
    "olist_order_payments_dataset.csv": _table(
        "olist_order_payments",
        "olist_order_payments",
        [
            _c("order_id", required=True),
            _c("payment_sequential", integer, required=True),
            _c("payment_type", required=True),
            _c("payment_installments", integer, required=True),
            _c("payment_value", decimal, required=True),
        ],
        ["order_id", "payment_sequential"],
    ),
    "olist_order_reviews_dataset.csv": _table(
        "olist_order_reviews",
        "olist_order_reviews",
        [
            _c("review_id", required=True),
            _c("order_id", required=True),
            _c("review_score", between(1, 5), required=True),
            _c("review_comment_title"),
            _c("review_comment_message"),
            _c("review_creation_date", ts),
            _c("review_answer_timestamp", ts),
        ],
        ["review_id", "order_id"],
    ),
    "olist_products_dataset.csv": _table(
        "olist_products",
        "olist_products",
        [
            _c("product_id", required=True),
            _c("product_category_name"),
            _c("product_name_lenght", integer),
            _c("product_description_lenght", integer),
            _c("product_photos_qty", integer),
            _c("product_weight_g", integer),
            _c("product_length_cm", integer),
            _c("product_height_cm", integer),
            _c("product_width_cm", integer),
        ],
        ["product_id"],
    ),
    "olist_sellers_dataset.csv": _table(
        "olist_sellers",
        "olist_sellers",
        [
            _c("seller_id", required=True),
            _c("seller_zip_code_prefix"),
            _c("seller_city"),
            _c("seller_state"),
        ],
        ["seller_id"],
    ),
    "product_category_name_translation.csv": _table(
        "olist_category_translations",
        "olist_category_translations",
        [
            _c("product_category_name", required=True),
            _c("product_category_name_english", required=True),
        ],
        ["product_category_name"],
    ),
}
REQUIRED_FILES = ("olist_customers_dataset.csv", "olist_orders_dataset.csv")


def ingest_olist_dir(admin: ConnectionInfo, folder: Path) -> LoadSummary:
    """Load every known file of the folder in one transaction (all or nothing)."""
    if folder.is_symlink() or not folder.is_dir():
        raise PlatformError(f"{folder}: not a folder (symbolic links are not followed)")
    missing = [name for name in REQUIRED_FILES if not (folder / name).is_file()]
    if missing:
        raise PlatformError(f"{folder}: required file(s) missing: {', '.join(missing)}")
    summary = LoadSummary()
    with admin.connect() as conn, conn.transaction():
        for file_name, spec in OLIST_FILES.items():
            path = folder / file_name
            if path.exists() or path.is_symlink():
                summary.add(load_csv_table(conn, spec, path))
    return summary


def materializations(folder: Path, summary: LoadSummary) -> dict[str, dict[str, Any]]:
    """raw table -> what its asset's materialization records of a folder's load (every Olist table: a
    file the folder lacks is said to be absent)."""
    by_file = {Path(item.file_name).name: item for item in summary.files}
    result: dict[str, dict[str, Any]] = {}
    for file_name, spec in OLIST_FILES.items():
        item = by_file.get(file_name)
        result[spec.table] = {"folder": str(folder), "file_present": item is not None}
        if item is not None:
            result[spec.table].update(item.metadata())
    return result
