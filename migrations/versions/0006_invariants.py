"""database invariants: CHECK constraints and partial unique indexes

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 10:00:00

The invariants the code kept alone until now, held by the database too (the same constraints are
declared on the models). Existing rows are checked first, so a database that breaks one fails with
a message saying which invariant and how many rows, before anything is changed.

"A submitted assessment has total, stage and submitted_at" is checked at each statement, so
`surveys.submit` claims the draft and sets its scores in one UPDATE.
"""

import sqlalchemy as sa
from alembic import op

from assessment.services.migrate import sqlite_rebuild_safely

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# table: [(full constraint name, condition)]; names as the models' naming convention makes them.
CHECKS = {
    "enterprise": [
        ("ck_enterprise_employees_not_negative", "employees >= 0"),
        ("ck_enterprise_revenue_not_negative", "revenue_wan >= 0"),
        ("ck_enterprise_size_class", "size_class IN ('large', 'medium', 'small', 'micro')"),
    ],
    "user_account": [
        ("ck_user_account_role", "role IN ('enterprise', 'bureau', 'admin')"),
    ],
    "assessment": [
        ("ck_assessment_status", "status IN ('draft', 'submitted')"),
        ("ck_assessment_latest_is_submitted", "NOT is_latest OR status = 'submitted'"),
        (
            "ck_assessment_submitted_is_scored",
            "status <> 'submitted' OR (total IS NOT NULL AND stage IS NOT NULL"
            " AND submitted_at IS NOT NULL)",
        ),
        ("ck_assessment_total_range", "total >= 0 AND total <= 100"),
    ],
    "dimension_score": [
        ("ck_dimension_score_score_range", "score >= 0 AND score <= 100"),
    ],
    "question_score": [
        (
            "ck_question_score_points_range",
            "points >= 0 AND max_points >= 0 AND points <= max_points",
        ),
    ],
    "export_job": [
        ("ck_export_job_status", "status IN ('queued', 'running', 'done', 'failed')"),
        ("ck_export_job_progress_not_negative", "done >= 0 AND total >= 0"),
    ],
}

# name: condition of a unique index on assessment (enterprise_id, questionnaire_id)
PARTIAL_UNIQUE = {
    "uq_assessment_one_latest": "is_latest",
    "uq_assessment_one_draft": "status = 'draft'",
}

# Tables recreated on SQLite that it stores WITHOUT ROWID (see 0003): a recreate must keep that.
WITHOUT_ROWID = {"dimension_score", "question_score"}


def _table_kwargs(table: str) -> dict:
    return {"sqlite_with_rowid": False} if table in WITHOUT_ROWID else {}


def _refuse_broken_rows() -> None:
    """Name every invariant that existing rows break (nothing is changed then)."""
    bind = op.get_bind()
    found = []
    for table, checks in CHECKS.items():
        for name, condition in checks:
            n = bind.scalar(sa.text(f"SELECT COUNT(*) FROM {table} WHERE NOT ({condition})"))
            if n:
                found.append(f"{name} ({condition}): {n} rows of {table} break it")
    for name, condition in PARTIAL_UNIQUE.items():
        n = bind.scalar(
            sa.text(
                "SELECT COUNT(*) FROM (SELECT enterprise_id, questionnaire_id FROM assessment "
                f"WHERE {condition} GROUP BY enterprise_id, questionnaire_id "
                "HAVING COUNT(*) > 1) AS dup"
            )
        )
        if n:
            found.append(
                f"{name} (one assessment WHERE {condition} per enterprise and questionnaire): "
                f"{n} enterprise/questionnaire pairs have more than one"
            )
    if found:
        raise RuntimeError(
            "existing rows break invariants this revision adds; fix them, then upgrade again:\n  "
            + "\n  ".join(found)
        )


def upgrade() -> None:
    _refuse_broken_rows()
    with sqlite_rebuild_safely(op.get_bind()):
        for table, checks in CHECKS.items():
            with op.batch_alter_table(table, table_kwargs=_table_kwargs(table)) as batch_op:
                for name, condition in checks:
                    batch_op.create_check_constraint(op.f(name), condition)
        # After the rebuild of assessment, so that no reflection has to carry the WHERE clauses.
        for name, condition in PARTIAL_UNIQUE.items():
            op.create_index(
                name,
                "assessment",
                ["enterprise_id", "questionnaire_id"],
                unique=True,
                sqlite_where=sa.text(condition),
                postgresql_where=sa.text(condition),
            )


def downgrade() -> None:
    with sqlite_rebuild_safely(op.get_bind()):
        for name in PARTIAL_UNIQUE:
            op.drop_index(name, table_name="assessment")
        for table, checks in CHECKS.items():
            with op.batch_alter_table(table, table_kwargs=_table_kwargs(table)) as batch_op:
                for name, _condition in checks:
                    batch_op.drop_constraint(op.f(name), type_="check")
