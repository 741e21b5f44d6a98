"""accounts: memberships, email verification, TOTP, invitations, provider grants, who saved

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 21:00:00

`user_account` is rebuilt on SQLite (its role CHECK gains 'provider'). The three new columns of
`assessment` are added in place on both databases: SQLite accepts `ADD COLUMN … REFERENCES` for a
nullable column, which spares rebuilding the largest table. Existing enterprise users become owners
and existing addresses count as verified: they were accepted before verification existed.
"""

import sqlalchemy as sa
from alembic import op

from assessment.services.migrate import sqlite_rebuild_safely

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

OLD_ROLE = "role IN ('enterprise', 'bureau', 'admin')"
NEW_ROLE = "role IN ('enterprise', 'bureau', 'admin', 'provider')"
MEMBERSHIP = "membership IS NULL OR membership IN ('owner', 'member')"
WHO_SAVED = ("updated_by_id", "submitted_by_id", "provider_id")
PARTIAL_UNIQUE = {
    "uq_assessment_one_latest": "is_latest",
    "uq_assessment_one_draft": "status = 'draft'",
}


def _user_columns() -> list[sa.Column]:
    return [
        sa.Column("membership", sa.String(10), nullable=True),
        sa.Column("display_name", sa.String(60), nullable=False, server_default=""),
        sa.Column("organisation", sa.String(200), nullable=False, server_default=""),
        sa.Column("email_verified_at", sa.DateTime(), nullable=True),
        sa.Column("totp_secret", sa.String(64), nullable=True),
        sa.Column("totp_enabled_at", sa.DateTime(), nullable=True),
        sa.Column("totp_last_step", sa.Integer(), nullable=True),
    ]


def _add_who_saved_columns() -> None:
    bind = op.get_bind()
    for name in WHO_SAVED:
        if bind.dialect.name == "sqlite":
            op.execute(f"ALTER TABLE assessment ADD COLUMN {name} INTEGER REFERENCES user_account (id)")
        else:
            op.add_column("assessment", sa.Column(name, sa.Integer(), nullable=True))
            op.create_foreign_key(
                op.f(f"fk_assessment_{name}_user_account"), "assessment", "user_account", [name], ["id"]
            )


def _create_tables() -> None:
    op.create_table(
        "recovery_code",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False),
        sa.Column("code_hash", sa.String(256), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
    )
    op.create_index(op.f("ix_recovery_code_user_id"), "recovery_code", ["user_id"])
    op.create_table(
        "invitation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("enterprise_id", sa.Integer(), sa.ForeignKey("enterprise.id", ondelete="CASCADE"), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
    )
    op.create_index(op.f("ix_invitation_enterprise_id"), "invitation", ["enterprise_id"])
    op.create_index(op.f("ix_invitation_email"), "invitation", ["email"])
    op.create_table(
        "provider_grant",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("enterprise_id", sa.Integer(), sa.ForeignKey("enterprise.id", ondelete="CASCADE"), nullable=False),
        sa.Column("provider_id", sa.Integer(), sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
    )
    op.create_index(op.f("ix_provider_grant_enterprise_id"), "provider_grant", ["enterprise_id"])
    op.create_index("ix_provider_grant_provider", "provider_grant", ["provider_id", "enterprise_id"])


def upgrade() -> None:
    with sqlite_rebuild_safely(op.get_bind()), op.batch_alter_table("user_account") as batch_op:
        for column in _user_columns():
            batch_op.add_column(column)
        batch_op.drop_constraint(op.f("ck_user_account_role"), type_="check")
        batch_op.create_check_constraint(op.f("ck_user_account_role"), NEW_ROLE)
        batch_op.create_check_constraint(op.f("ck_user_account_membership"), MEMBERSHIP)
    op.execute("UPDATE user_account SET membership = 'owner' WHERE role = 'enterprise'")
    op.execute("UPDATE user_account SET email_verified_at = created_at")
    _add_who_saved_columns()
    _create_tables()


def downgrade() -> None:
    for table in ("provider_grant", "invitation", "recovery_code"):
        op.drop_table(table)
    bind = op.get_bind()
    with sqlite_rebuild_safely(bind):
        # SQLite cannot drop a column that a foreign key uses: batch mode rebuilds the table, and
        # the partial unique indexes (which its reflection would not carry) are made again after.
        for name in PARTIAL_UNIQUE:
            op.drop_index(name, table_name="assessment")
        with op.batch_alter_table("assessment") as batch_op:
            for name in WHO_SAVED:
                if bind.dialect.name != "sqlite":  # SQLite's are unnamed; they go with the column
                    batch_op.drop_constraint(
                        op.f(f"fk_assessment_{name}_user_account"), type_="foreignkey"
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
        op.execute("DELETE FROM user_account WHERE role = 'provider'")
        with op.batch_alter_table("user_account") as batch_op:
            batch_op.drop_constraint(op.f("ck_user_account_membership"), type_="check")
            batch_op.drop_constraint(op.f("ck_user_account_role"), type_="check")
            batch_op.create_check_constraint(op.f("ck_user_account_role"), OLD_ROLE)
            for column in reversed(_user_columns()):
                batch_op.drop_column(column.name)
