"""campaigns: targets, reminders, town officers, review of campaign submissions

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 21:00:00

`user_account` is rebuilt on SQLite (its role CHECK gains 'town_officer', and it gains `towns`).
The review columns of `assessment` are added in place on both databases (SQLite accepts
`ADD COLUMN` with REFERENCES and a CHECK for a nullable column), sparing a rebuild of the
largest table.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from assessment.services.migrate import sqlite_rebuild_safely

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OLD_ROLE = "role IN ('enterprise', 'bureau', 'admin', 'provider')"
NEW_ROLE = "role IN ('enterprise', 'bureau', 'admin', 'provider', 'town_officer')"
REVIEW_STATUS = "review_status IS NULL OR review_status IN ('pending', 'approved', 'returned')"
PARTIAL_UNIQUE = {
    "uq_assessment_one_latest": "is_latest",
    "uq_assessment_one_draft": "status = 'draft'",
}
# name → (SQL type on SQLite, SQLAlchemy type, referred table or None)
REVIEW_COLUMNS = {
    "campaign_id": ("INTEGER REFERENCES campaign (id)", sa.Integer(), "campaign"),
    "review_status": (
        f"VARCHAR(10) CONSTRAINT ck_assessment_review_status CHECK ({REVIEW_STATUS})",
        sa.String(10),
        None,
    ),
    "review_flags": ("JSON", None, None),
    "reviewed_by_id": ("INTEGER REFERENCES user_account (id)", sa.Integer(), "user_account"),
    "reviewed_at": ("DATETIME", sa.DateTime(), None),
    "review_note": ("TEXT", sa.Text(), None),
    "corrects_id": ("INTEGER REFERENCES assessment (id)", sa.Integer(), "assessment"),
}


def _json():
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _create_tables() -> None:
    op.create_table(
        "campaign",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("public_id", sa.String(32), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("questionnaire_ids", _json(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_campaign_dates_in_order")),
    )
    op.create_table(
        "campaign_target",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "campaign_id",
            sa.Integer(),
            sa.ForeignKey("campaign.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("town", sa.String(40), nullable=False),
        sa.Column("industry", sa.String(40), nullable=False),
        sa.Column("size_class", sa.String(10), nullable=True),
        sa.Column("employees", sa.Integer(), nullable=True),
        sa.Column("revenue_wan", sa.Float(), nullable=True),
        sa.Column("contact_name", sa.String(60), nullable=False),
        sa.Column("contact_phone", sa.String(40), nullable=False),
        sa.Column("contact_email", sa.String(254), nullable=False),
        sa.Column("invite_code", sa.String(16), nullable=False, unique=True),
        sa.Column("enterprise_id", sa.Integer(), sa.ForeignKey("enterprise.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("campaign_id", "uscc", name="uq_campaign_target_uscc"),
    )
    op.create_index(op.f("ix_campaign_target_uscc"), "campaign_target", ["uscc"])
    op.create_index(op.f("ix_campaign_target_enterprise_id"), "campaign_target", ["enterprise_id"])
    op.create_index("ix_campaign_target_campaign_town", "campaign_target", ["campaign_id", "town"])
    op.create_table(
        "campaign_reminder",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "target_id",
            sa.Integer(),
            sa.ForeignKey("campaign_target.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("sent_by_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=True),
    )
    op.create_index(op.f("ix_campaign_reminder_target_id"), "campaign_reminder", ["target_id"])


def _add_review_columns() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for name, (sqlite_type, sa_type, referred) in REVIEW_COLUMNS.items():
        if sqlite:
            op.execute(f"ALTER TABLE assessment ADD COLUMN {name} {sqlite_type}")
            continue
        op.add_column("assessment", sa.Column(name, sa_type or _json(), nullable=True))
        if referred:
            op.create_foreign_key(
                op.f(f"fk_assessment_{name}_{referred}"), "assessment", referred, [name], ["id"]
            )
    if not sqlite:
        op.create_check_constraint(op.f("ck_assessment_review_status"), "assessment", REVIEW_STATUS)
    op.create_index(op.f("ix_assessment_campaign_id"), "assessment", ["campaign_id"])


def upgrade() -> None:
    with sqlite_rebuild_safely(op.get_bind()), op.batch_alter_table("user_account") as batch_op:
        batch_op.add_column(sa.Column("towns", _json(), nullable=True))
        batch_op.drop_constraint(op.f("ck_user_account_role"), type_="check")
        batch_op.create_check_constraint(op.f("ck_user_account_role"), NEW_ROLE)
    _create_tables()
    _add_review_columns()


def downgrade() -> None:
    bind = op.get_bind()
    op.drop_index(op.f("ix_assessment_campaign_id"), table_name="assessment")
    with sqlite_rebuild_safely(bind):
        for name in PARTIAL_UNIQUE:
            op.drop_index(name, table_name="assessment")
        with op.batch_alter_table("assessment") as batch_op:
            batch_op.drop_constraint(op.f("ck_assessment_review_status"), type_="check")
            for name, (_, _, referred) in REVIEW_COLUMNS.items():
                if referred and bind.dialect.name != "sqlite":
                    batch_op.drop_constraint(
                        op.f(f"fk_assessment_{name}_{referred}"), type_="foreignkey"
                    )
                batch_op.drop_column(name)
        for name, condition in PARTIAL_UNIQUE.items():
            op.create_index(
                name,
                "assessment",
                ["enterprise_id", "questionnaire_id"],
                unique=True,
                sqlite_where=sa.text(condition),
                postgresql_where=sa.text(condition),
            )
        for table in ("campaign_reminder", "campaign_target", "campaign"):
            op.drop_table(table)
        op.execute("DELETE FROM user_account WHERE role = 'town_officer'")
        with op.batch_alter_table("user_account") as batch_op:
            batch_op.drop_constraint(op.f("ck_user_account_role"), type_="check")
            batch_op.create_check_constraint(op.f("ck_user_account_role"), OLD_ROLE)
            batch_op.drop_column("towns")
