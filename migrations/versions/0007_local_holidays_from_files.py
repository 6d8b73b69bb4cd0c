"""Local holidays are loaded from CSV files like the other inputs: they record their file.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 12:11:19.469505
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("local_holidays", sa.Column("file_id", sa.BigInteger(), nullable=True), schema="raw")
    op.create_index(
        op.f("ix_local_holidays_file_id"), "local_holidays", ["file_id"], unique=False, schema="raw"
    )
    op.create_foreign_key(
        op.f("fk_local_holidays_file_id_ingested_files"),
        "local_holidays",
        "ingested_files",
        ["file_id"],
        ["file_id"],
        source_schema="raw",
        referent_schema="raw",
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("fk_local_holidays_file_id_ingested_files"), "local_holidays", schema="raw", type_="foreignkey"
    )
    op.drop_index(op.f("ix_local_holidays_file_id"), table_name="local_holidays", schema="raw")
    op.drop_column("local_holidays", "file_id", schema="raw")
