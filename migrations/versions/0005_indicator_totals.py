"""per-question totals over the latest assessments (bureau's weakest indicators)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 23:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

COHORTS = ("city", "industry", "town", "size_class")


def upgrade() -> None:
    op.create_table(
        "indicator_total",
        sa.Column("questionnaire_id", sa.String(length=40), nullable=False),
        sa.Column("questionnaire_version", sa.String(length=20), nullable=False),
        sa.Column("cohort", sa.String(length=12), nullable=False),
        sa.Column("cohort_value", sa.String(length=40), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("question_id", sa.String(length=60), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("max_points", sa.Float(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "questionnaire_id", "questionnaire_version", "cohort", "cohort_value", "is_demo",
            "month", "question_id", name=op.f("pk_indicator_total"),
        ),
        sqlite_with_rowid=False,
    )
    # Backfill from the existing scores (the same sums the application maintains from now on).
    postgres = op.get_bind().dialect.name == "postgresql"
    month = "to_char(a.submitted_at, 'YYYY-MM')" if postgres else "strftime('%Y-%m', a.submitted_at)"
    for cohort in COHORTS:
        value = "''" if cohort == "city" else f"COALESCE(a.{cohort}, '')"
        group_value = "" if cohort == "city" else f"{value}, "  # a constant cannot be grouped
        op.execute(
            f"""
            INSERT INTO indicator_total (questionnaire_id, questionnaire_version, cohort,
                cohort_value, is_demo, month, question_id, points, max_points, n)
            SELECT a.questionnaire_id, a.questionnaire_version, '{cohort}', {value}, a.is_demo,
                {month}, q.question_id, SUM(q.points), SUM(q.max_points), COUNT(*)
            FROM assessment a JOIN question_score q ON q.assessment_id = a.id
            WHERE a.is_latest AND q.max_points > 0
            GROUP BY a.questionnaire_id, a.questionnaire_version, {group_value}a.is_demo,
                {month}, q.question_id
            """
        )


def downgrade() -> None:
    op.drop_table("indicator_total")
