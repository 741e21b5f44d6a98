"""score histograms per cohort (the result page's cohort statistics)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 00:10:00

Three derived tables kept by every submit (`assessment/services/histograms.py`), backfilled here
from the latest assessments with the same SQL that `histograms.rebuild` runs.
"""

import sqlalchemy as sa
from alembic import op

# The one definition of the backfill SQL (what a restore or `flask rebuild-totals` runs too).
from assessment.services import histograms

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

KEY = ("questionnaire_id", "cohort", "cohort_value")
TAIL = ("questionnaire_version", "is_demo", "month")


def _key_columns() -> list[sa.Column]:
    return [
        sa.Column("questionnaire_id", sa.String(length=40), nullable=False),
        sa.Column("cohort", sa.String(length=16), nullable=False),
        sa.Column("cohort_value", sa.String(length=90), nullable=False),
    ]


def _tail_columns() -> list[sa.Column]:
    return [
        sa.Column("questionnaire_version", sa.String(length=20), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "score_bin",
        *_key_columns(),
        sa.Column("metric", sa.String(length=60), nullable=False),
        sa.Column("bin", sa.Integer(), nullable=False),
        *_tail_columns(),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("score_sum", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(*KEY, "metric", "bin", *TAIL, name=op.f("pk_score_bin")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "score_count",
        *_key_columns(),
        sa.Column("metric", sa.String(length=60), nullable=False),
        sa.Column("bin", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        *_tail_columns(),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*KEY, "metric", "bin", "score", *TAIL, name=op.f("pk_score_count")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "stage_count",
        *_key_columns(),
        sa.Column("stage", sa.String(length=40), nullable=False),
        *_tail_columns(),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*KEY, "stage", *TAIL, name=op.f("pk_stage_count")),
        sqlite_with_rowid=False,
    )
    # The same statements the application runs after a restore: one INSERT … SELECT per table
    # and cohort kind (assessment/services/histograms.py, `rebuild`).
    histograms.rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table("stage_count")
    op.drop_table("score_count")
    op.drop_table("score_bin")
