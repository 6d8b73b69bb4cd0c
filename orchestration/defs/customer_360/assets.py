"""customer_360 raw inputs, written by `bi-dash ingest olist` (declared so lineage starts at raw)."""

import dagster as dg

RAW_TABLES = {
    "olist_customers": "Customers of each order (olist_customers_dataset.csv).",
    "olist_orders": "Orders (olist_orders_dataset.csv).",
    "olist_order_items": "Order items (olist_order_items_dataset.csv).",
    "olist_order_payments": "Payments (olist_order_payments_dataset.csv).",
    "olist_order_reviews": "Reviews (olist_order_reviews_dataset.csv).",
    "olist_products": "Products (olist_products_dataset.csv).",
    "olist_sellers": "Sellers (olist_sellers_dataset.csv).",
    "olist_category_translations": "Category names in English (product_category_name_translation.csv).",
}


def raw_assets() -> list[dg.AssetSpec]:
    return [
        dg.AssetSpec(
            key=["raw", table],
            description=description,
            group_name="customer_360",
            kinds={"postgres"},
            metadata={"layer": "raw", "domain": "customer_360"},
        )
        for table, description in RAW_TABLES.items()
    ]
