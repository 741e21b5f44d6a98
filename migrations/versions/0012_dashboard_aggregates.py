"""reserved: a placeholder in the revision chain, to be filled by the change that needs it

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 00:10:00

Changes nothing (the chain stays linear while several changes are made in parallel).
"""

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
