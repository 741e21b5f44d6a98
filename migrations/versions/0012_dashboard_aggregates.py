"""dashboard aggregates: submissions per month, latest assessments per scope, stored figures

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 00:10:00

`submission_month` counts every submission per (questionnaire, cohort, version, demo flag, month,
stage) with the exact sum of its totals in thousandths; `latest_point` and `latest_value` count the
latest assessments per filter scope, group, stage and score (services/latest_counts.py). All three
are filled here from the existing rows and kept by every submit from now on. `stored_figures`
keeps figures of ended periods computed once.
"""

from itertools import product

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

COHORTS = ("city", "industry", "town", "size_class")
GROUPINGS = ("industry", "town", "size_class")
THOUSANDTHS = "CAST(ROUND(total * 1000) AS BIGINT)"


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
        sa.Column("total_thousandths", sa.BigInteger(), nullable=False),
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
                questionnaire_version, is_demo, month, stage, n, total_thousandths)
            SELECT questionnaire_id, '{cohort}', {value}, questionnaire_version, is_demo,
                {month}, stage, COUNT(*), SUM(CAST(ROUND(total * 1000) AS BIGINT))
            FROM assessment
            WHERE status = 'submitted'
            GROUP BY questionnaire_id, {group_value}questionnaire_version, is_demo, {month}, stage
            """
        )
    _latest_tables()
    _backfill_latest()


def _key() -> list[sa.Column]:
    return [
        sa.Column("questionnaire_id", sa.String(length=40), nullable=False),
        sa.Column("scope", sa.String(length=130), nullable=False),
        sa.Column("grouping", sa.String(length=12), nullable=False),
        sa.Column("group_value", sa.String(length=40), nullable=False),
        sa.Column("questionnaire_version", sa.String(length=20), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
    ]


def _latest_tables() -> None:
    names = [c.name for c in _key()]
    op.create_table(
        "latest_point",
        *_key(),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("point", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("total_thousandths", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(*names, "stage", "point", name=op.f("pk_latest_point")),
        sqlite_with_rowid=False,
    )
    group, flags = _key()[:4], _key()[4:]  # the totals of one group are one range of the key
    op.create_table(
        "latest_value",
        *group,
        sa.Column("total_thousandths", sa.Integer(), nullable=False),
        *flags,
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            *names[:4], "total_thousandths", *names[4:], name=op.f("pk_latest_value")
        ),
        sqlite_with_rowid=False,
    )


def _backfill_latest() -> None:
    """The counts `services/latest_counts.Counts.add` keeps, from the latest assessments: each in
    the 8 scopes of its industry, town and size class (each chosen or not) × 3 groupings."""
    for chosen in product((False, True), repeat=3):
        parts = [c if pick else "''" for c, pick in zip(GROUPINGS, chosen, strict=True)]
        scope = " || '|' || ".join(parts)
        fixed = [c for c, pick in zip(GROUPINGS, chosen, strict=True) if pick]
        present = "".join(f" AND {c} IS NOT NULL" for c in fixed)
        for grouping in GROUPINGS:
            grouped = ", ".join(dict.fromkeys([*fixed, grouping]))
            where = f"WHERE is_latest AND total IS NOT NULL{present}"
            common = f"questionnaire_id, {scope}, '{grouping}', COALESCE({grouping}, '')"
            op.execute(
                f"""
                INSERT INTO latest_point (questionnaire_id, scope, grouping, group_value,
                    questionnaire_version, is_demo, stage, point, n, total_thousandths)
                SELECT {common}, questionnaire_version, is_demo, stage, {THOUSANDTHS} / 1000,
                    COUNT(*), SUM({THOUSANDTHS})
                FROM assessment {where}
                GROUP BY questionnaire_id, {grouped}, questionnaire_version, is_demo, stage,
                    {THOUSANDTHS} / 1000
                """
            )
            op.execute(
                f"""
                INSERT INTO latest_value (questionnaire_id, scope, grouping, group_value,
                    questionnaire_version, is_demo, total_thousandths, n)
                SELECT {common}, questionnaire_version, is_demo, {THOUSANDTHS}, COUNT(*)
                FROM assessment {where}
                GROUP BY questionnaire_id, {grouped}, questionnaire_version, is_demo, {THOUSANDTHS}
                """
            )


def downgrade() -> None:
    op.drop_table("latest_value")
    op.drop_table("latest_point")
    op.drop_table("stored_figures")
    op.drop_table("submission_month")
