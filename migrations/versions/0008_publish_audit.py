"""Write-audit-publish: the audit trail of refreshes and the right to build beside the served data.

- ``audit.refresh_attempts``: one row per refresh run (Dagster run id), its outcome and when.
- ``audit.check_results``: every check a run evaluated (dbt tests, Great Expectations), with severity.
- ``audit.published_resources``: per api resource, when it was last published and its row count.
- ``transformer`` may create schemas: a refresh builds into ``<layer>__next`` shadow schemas and
  publishes by renaming them in one transaction (renaming a schema needs CREATE on the database).

Request roles read the columns ``api.data_status`` shows (not the check summaries, which can hold
sample values of the data).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REQUEST_ROLES = "anon, analyst, hr, manager, employee"
OUTCOMES = "('running', 'published', 'blocked', 'failed')"


def upgrade() -> None:
    op.execute("create schema audit")
    op.execute(
        "comment on schema audit is 'Refresh attempts, check results and publications (write-audit-publish)'"
    )
    op.create_table(
        "refresh_attempts",
        sa.Column("run_id", sa.Text(), primary_key=True),
        sa.Column("started_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("outcome", sa.Text(), nullable=False, server_default="running"),
        sa.Column("full_refresh", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("message", sa.Text()),
        sa.CheckConstraint(f"outcome in {OUTCOMES}", name="ck_refresh_attempts_outcome"),
        schema="audit",
    )
    op.create_index("ix_refresh_attempts_started_at", "refresh_attempts", ["started_at"], schema="audit")
    op.create_table(
        "check_results",
        sa.Column("run_id", sa.Text(), sa.ForeignKey("audit.refresh_attempts.run_id", ondelete="cascade")),
        sa.Column("asset", sa.Text(), nullable=False),
        sa.Column("check_name", sa.Text(), nullable=False),
        sa.Column("domain", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("severity", sa.Text(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("summary", postgresql.JSONB(), nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column(
            "evaluated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("run_id", "asset", "check_name"),
        sa.CheckConstraint("severity in ('error', 'warn')", name="ck_check_results_severity"),
        sa.CheckConstraint("source in ('dbt', 'great_expectations')", name="ck_check_results_source"),
        schema="audit",
    )
    op.create_table(
        "published_resources",
        sa.Column("resource", sa.Text(), primary_key=True),
        sa.Column("domain", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.Text(), nullable=False),
        sa.Column("row_count", sa.BigInteger(), nullable=False),
        schema="audit",
    )
    op.execute("grant usage on schema audit to transformer")
    op.execute("grant select, insert, update, delete on all tables in schema audit to transformer")
    op.execute(f"grant usage on schema audit to {REQUEST_ROLES}")
    op.execute(
        "grant select (run_id, started_at, finished_at, outcome) on audit.refresh_attempts"
        f" to {REQUEST_ROLES}"
    )
    op.execute(
        "grant select (run_id, asset, check_name, domain, source, severity, passed)"
        f" on audit.check_results to {REQUEST_ROLES}"
    )
    op.execute(f"grant select on audit.published_resources to {REQUEST_ROLES}")
    # api.data_status (security_invoker) reads these tables: row-level security on, everyone may read
    # every row (names of checks and times, no personal data); only transformer writes.
    for table in ("refresh_attempts", "check_results", "published_resources"):
        op.execute(f"alter table audit.{table} enable row level security")
        op.execute(f"create policy readers on audit.{table} for select to {REQUEST_ROLES} using (true)")
        op.execute(
            f"create policy writer on audit.{table} for all to transformer using (true) with check (true)"
        )
    op.execute(
        "do $$ begin execute format('grant create on database %I to transformer', current_database()); end $$"
    )


def downgrade() -> None:
    op.execute(
        "do $$ begin execute format('revoke create on database %I from transformer',"
        " current_database()); end $$"
    )
    op.execute("drop schema audit cascade")
