"""Which transaction loaded each raw row: ``loaded_xid`` (xid8), so an incremental build reads exactly
what committed since the snapshot the state it starts from was built at.

``loaded_at`` (the load's start time) is not a safe high-water mark: a load that started before a build
and committed after it carries an older time than the build's watermark and was never picked up (the
published data lost up to a fifth of the orders). A row's ``loaded_xid`` is visible in a snapshot exactly
when its transaction had committed then, so "not visible in the previous build's snapshot" means "new to
this build", whatever the order of loads and refreshes. Loaders that update a row set it again.

``audit.refresh_attempts`` gets the outcome ``partial`` (some domains published, others held back by
their own failing checks) and records what defined each build (the project digest and the migration
head): with them and ``loaded_xid``, a refresh with nothing new is skipped in seconds.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# the raw tables the dbt build reads; the large ones get an index (the change set is a range scan)
TABLES = (
    "employees",
    "employers",
    "work_schedules",
    "local_holidays",
    "afd_punches",
    "afd_records",
    "punch_adjustments",
    "absence_justifications",
    "quarantine",
    "olist_customers",
    "olist_orders",
    "olist_order_items",
    "olist_order_payments",
    "olist_order_reviews",
    "olist_products",
    "olist_sellers",
    "olist_category_translations",
)
INDEXED = (
    "afd_punches",
    "punch_adjustments",
    "olist_customers",
    "olist_orders",
    "olist_order_items",
    "olist_order_payments",
    "olist_order_reviews",
)


def upgrade() -> None:
    # what defined each build, so a refresh with nothing new can tell (orchestration/change_detection.py)
    op.execute(
        "alter table audit.refresh_attempts add column project_digest text, add column migration_head text"
    )
    # partial: some domains published, others held back by their own failing checks
    op.execute(
        "alter table audit.refresh_attempts drop constraint ck_refresh_attempts_ck_refresh_attempts_outcome"
    )
    op.execute(
        "alter table audit.refresh_attempts add constraint ck_refresh_attempts_ck_refresh_attempts_outcome"
        " check (outcome in ('running', 'published', 'partial', 'blocked', 'failed'))"
    )
    op.execute("grant select on public.alembic_version to transformer")
    for table in TABLES:
        op.execute(
            f"alter table raw.{table} add column loaded_xid xid8 not null default pg_current_xact_id()"
        )
    for table in INDEXED:
        op.create_index(op.f(f"ix_{table}_loaded_xid"), table, ["loaded_xid"], schema="raw")


def downgrade() -> None:
    op.execute("revoke select on public.alembic_version from transformer")
    op.execute("update audit.refresh_attempts set outcome = 'blocked' where outcome = 'partial'")
    op.execute(
        "alter table audit.refresh_attempts drop constraint ck_refresh_attempts_ck_refresh_attempts_outcome"
    )
    op.execute(
        "alter table audit.refresh_attempts add constraint ck_refresh_attempts_ck_refresh_attempts_outcome"
        " check (outcome in ('running', 'published', 'blocked', 'failed'))"
    )
    op.execute("alter table audit.refresh_attempts drop column project_digest, drop column migration_head")
    for table in INDEXED:
        op.drop_index(op.f(f"ix_{table}_loaded_xid"), table, schema="raw")
    for table in TABLES:
        op.drop_column(table, "loaded_xid", schema="raw")
