"""assessment.prefilled: answers copied from other questionnaires, not yet confirmed

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 18:00:00

A nullable JSON column: ALTER TABLE ADD COLUMN on both databases, no table rebuild.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from assessment.services.migrate import sqlite_rebuild_safely

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    op.add_column("assessment", sa.Column("prefilled", json, nullable=True))


def downgrade() -> None:
    # Dropping a column rebuilds `assessment` on SQLite: guarded, or the score rows would cascade.
    with sqlite_rebuild_safely(op.get_bind()), op.batch_alter_table("assessment") as batch_op:
        batch_op.drop_column("prefilled")
