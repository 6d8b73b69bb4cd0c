"""Index the file_id foreign key of every raw table (bi-dash lint: unindexed foreign keys).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 11:40:32.206527
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_employees_file_id"), "employees", ["file_id"], unique=False, schema="raw")
    op.create_index(
        op.f("ix_olist_category_translations_file_id"),
        "olist_category_translations",
        ["file_id"],
        unique=False,
        schema="raw",
    )
    op.create_index(
        op.f("ix_olist_customers_file_id"), "olist_customers", ["file_id"], unique=False, schema="raw"
    )
    op.create_index(
        op.f("ix_olist_order_items_file_id"), "olist_order_items", ["file_id"], unique=False, schema="raw"
    )
    op.create_index(
        op.f("ix_olist_order_payments_file_id"),
        "olist_order_payments",
        ["file_id"],
        unique=False,
        schema="raw",
    )
    op.create_index(
        op.f("ix_olist_order_reviews_file_id"), "olist_order_reviews", ["file_id"], unique=False, schema="raw"
    )
    op.create_index(op.f("ix_olist_orders_file_id"), "olist_orders", ["file_id"], unique=False, schema="raw")
    op.create_index(
        op.f("ix_olist_products_file_id"), "olist_products", ["file_id"], unique=False, schema="raw"
    )
    op.create_index(
        op.f("ix_olist_sellers_file_id"), "olist_sellers", ["file_id"], unique=False, schema="raw"
    )
    op.create_index(
        op.f("ix_work_schedules_file_id"), "work_schedules", ["file_id"], unique=False, schema="raw"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_work_schedules_file_id"), table_name="work_schedules", schema="raw")
    op.drop_index(op.f("ix_olist_sellers_file_id"), table_name="olist_sellers", schema="raw")
    op.drop_index(op.f("ix_olist_products_file_id"), table_name="olist_products", schema="raw")
    op.drop_index(op.f("ix_olist_orders_file_id"), table_name="olist_orders", schema="raw")
    op.drop_index(op.f("ix_olist_order_reviews_file_id"), table_name="olist_order_reviews", schema="raw")
    op.drop_index(op.f("ix_olist_order_payments_file_id"), table_name="olist_order_payments", schema="raw")
    op.drop_index(op.f("ix_olist_order_items_file_id"), table_name="olist_order_items", schema="raw")
    op.drop_index(op.f("ix_olist_customers_file_id"), table_name="olist_customers", schema="raw")
    op.drop_index(
        op.f("ix_olist_category_translations_file_id"), table_name="olist_category_translations", schema="raw"
    )
    op.drop_index(op.f("ix_employees_file_id"), table_name="employees", schema="raw")
