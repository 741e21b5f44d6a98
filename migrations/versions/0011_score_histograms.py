"""reserved: a placeholder in the revision chain, to be filled by the change that needs it

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 00:10:00

Changes nothing (the chain stays linear while several changes are made in parallel).
"""

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
