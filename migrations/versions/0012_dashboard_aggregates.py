"""dashboard aggregates: submissions per month and cohort, and figures stored once

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 00:10:00

`submission_month` counts every submission per (questionnaire, cohort, version, demo flag, month,
stage) with the exact sum of its totals in hundredths (filled here from the existing rows, kept by
every submit from now on); `stored_figures` keeps figures of ended periods computed once.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

COHORTS = ("city", "industry", "town", "size_class")


def upgrade() -> None:
    op.create_table(
        "submission_month",
        sa.Column("questionnaire_id", sa.String(length=40), nullable=False),
        sa.Column("cohort", sa.String(length=12), nullable=False),
        sa.Column("cohort_value", sa.String(length=40), nullable=False),
        sa.Column("questionnaire_version", sa.String(length=20), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("total_hundredths", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "questionnaire_id",
            "cohort",
            "cohort_value",
            "questionnaire_version",
            "is_demo",
            "month",
            "stage",
            name=op.f("pk_submission_month"),
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "stored_figures",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("filters", sa.Text(), nullable=False),
        sa.Column("figures", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "key", "generation", name=op.f("pk_stored_figures")),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    month = "to_char(submitted_at, 'YYYY-MM')" if postgres else "strftime('%Y-%m', submitted_at)"
    for cohort in COHORTS:
        value = "''" if cohort == "city" else f"COALESCE({cohort}, '')"
        group_value = "" if cohort == "city" else f"{value}, "  # a constant cannot be grouped
        op.execute(
            f"""
            INSERT INTO submission_month (questionnaire_id, cohort, cohort_value,
                questionnaire_version, is_demo, month, stage, n, total_hundredths)
            SELECT questionnaire_id, '{cohort}', {value}, questionnaire_version, is_demo,
                {month}, stage, COUNT(*), SUM(CAST(ROUND(total * 100) AS BIGINT))
            FROM assessment
            WHERE status = 'submitted'
            GROUP BY questionnaire_id, {group_value}questionnaire_version, is_demo, {month}, stage
            """
        )


def downgrade() -> None:
    op.drop_table("stored_figures")
    op.drop_table("submission_month")
