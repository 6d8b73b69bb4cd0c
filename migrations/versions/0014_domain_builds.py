"""A refresh builds only the domains with something new: ``audit.refresh_attempts.domains`` records
which ones a refresh built (null: every domain), decided once by its dbt step and read by the steps
after it (the api checks, the publish). See orchestration/change_detection.py.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("alter table audit.refresh_attempts add column domains text[]")
    op.execute(
        "comment on column audit.refresh_attempts.domains is"
        " 'The domains this refresh built and checked (null: every domain); the others kept their"
        " published build, which had seen every load of their raw tables.'"
    )


def downgrade() -> None:
    op.execute("alter table audit.refresh_attempts drop column domains")
