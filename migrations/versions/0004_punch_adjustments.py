"""Punch adjustments (web clock registrations, HR inclusions and disregards) and an index for
incremental refreshes of AFD punches.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_afd_punches_loaded_at"), "afd_punches", ["loaded_at"], schema="raw")
    op.create_table(
        "punch_adjustments",
        sa.Column("adjustment_id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("employee_id", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("punch_id", sa.BigInteger(), nullable=True),
        sa.Column("punched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Text(), server_default=sa.text("current_user"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "action in ('register', 'include', 'disregard')", name=op.f("ck_punch_adjustments_action")
        ),
        sa.CheckConstraint(
            "action = 'disregard' or punched_at is not null", name=op.f("ck_punch_adjustments_punch_time")
        ),
        sa.CheckConstraint(
            "action <> 'disregard' or punch_id is not null",
            name=op.f("ck_punch_adjustments_disregarded_punch"),
        ),
        sa.CheckConstraint(
            "action = 'register' or length(trim(coalesce(reason, ''))) > 0",
            name=op.f("ck_punch_adjustments_reason_required"),
        ),
        sa.PrimaryKeyConstraint("adjustment_id", name=op.f("pk_punch_adjustments")),
        schema="raw",
    )
    op.create_index(
        op.f("ix_punch_adjustments_employee_id_created_at"),
        "punch_adjustments",
        ["employee_id", "created_at"],
        schema="raw",
    )
    op.create_index(
        op.f("ix_punch_adjustments_created_at"), "punch_adjustments", ["created_at"], schema="raw"
    )
    # new punches (register/include) take their id from the AFD punch sequence: one id space
    op.execute(
        "alter table raw.punch_adjustments alter column punch_id "
        "set default nextval(pg_get_serial_sequence('raw.afd_punches', 'punch_id'))"
    )


def downgrade() -> None:
    op.drop_table("punch_adjustments", schema="raw")
    op.drop_index(op.f("ix_afd_punches_loaded_at"), table_name="afd_punches", schema="raw")
