"""AFD punches keep their local wall-clock time; quarantine rows say whether the line was rejected.

1510 date-times are local to the establishment, whose zone may be configured per employee after the
load: the wall-clock value and the zone used at load are kept so dbt can re-anchor them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("afd_punches", sa.Column("local_punched_at", sa.DateTime(timezone=False)), schema="raw")
    op.add_column("afd_punches", sa.Column("time_zone", sa.Text()), schema="raw")
    op.add_column(
        "quarantine",
        sa.Column("kind", sa.Text(), server_default=sa.text("'rejected'"), nullable=False),
        schema="raw",
    )
    op.create_check_constraint(
        op.f("ck_quarantine_kind"), "quarantine", "kind in ('rejected', 'notice')", schema="raw"
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_quarantine_kind"), "quarantine", schema="raw", type_="check")
    op.drop_column("quarantine", "kind", schema="raw")
    op.drop_column("afd_punches", "time_zone", schema="raw")
    op.drop_column("afd_punches", "local_punched_at", schema="raw")
