"""background jobs: the `job` table (any kind of work, with attempts, heartbeat and progress) and
the files jobs produce, kept in the database; `export_job` is replaced

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 00:10:00

Batch PDF jobs move from `export_job` (whose ZIP lay on one node's disk) to `job`. Rows of
`export_job` are not carried over: they were transient (a ZIP kept a day on one worker's disk),
and a finished one's file cannot be served by the new code anyway.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    op.create_table(
        "job",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("public_id", sa.String(32), nullable=False, unique=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("params", json, nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("claim", sa.String(120), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("result", json, nullable=True),
        sa.Column("file_name", sa.String(200), nullable=True),
        sa.Column("file_size", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')", name=op.f("ck_job_status")
        ),
        sa.CheckConstraint("done >= 0 AND total >= 0", name=op.f("ck_job_progress_not_negative")),
        sa.CheckConstraint("attempts >= 0 AND max_attempts >= 1", name=op.f("ck_job_attempts")),
    )
    op.create_index(op.f("ix_job_user_id"), "job", ["user_id"])
    op.create_index("ix_job_status_next_attempt_at", "job", ["status", "next_attempt_at"])
    op.create_table(
        "job_file_chunk",
        sa.Column(
            "job_id",
            sa.Integer(),
            sa.ForeignKey("job.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
    )
    op.drop_index(op.f("ix_export_job_user_id"), table_name="export_job")
    op.drop_table("export_job")


def downgrade() -> None:
    json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    op.create_table(
        "export_job",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("public_id", sa.String(32), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=False),
        sa.Column("filters", json, nullable=False),
        sa.Column("lang", sa.String(5), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(400), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')", name=op.f("ck_export_job_status")
        ),
        sa.CheckConstraint(
            "done >= 0 AND total >= 0", name=op.f("ck_export_job_progress_not_negative")
        ),
    )
    op.create_index(op.f("ix_export_job_user_id"), "export_job", ["user_id"])
    op.drop_table("job_file_chunk")
    op.drop_index("ix_job_status_next_attempt_at", table_name="job")
    op.drop_index(op.f("ix_job_user_id"), table_name="job")
    op.drop_table("job")
