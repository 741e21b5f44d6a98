"""The audit log: who looked at or exported whose data, and what admins changed. No Flask."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessment.services.models import AuditEvent, User

# Actions recorded (stable identifiers; the admin page translates them).
VIEW_ENTERPRISE = "view_enterprise"
VIEW_RESULT = "view_result"
DOWNLOAD_REPORT = "download_report"
EXPORT_CSV = "export_csv"
EXPORT_XLSX = "export_xlsx"
EXPORT_REPORTS_ZIP = "export_reports_zip"
DEACTIVATE_USER = "deactivate_user"
ACTIVATE_USER = "activate_user"
RESET_PASSWORD = "reset_password"
# Two-step verification (services/mfa.py): the user's own changes, and an admin's reset.
ENABLE_MFA = "enable_mfa"
DISABLE_MFA = "disable_mfa"
RESET_MFA = "reset_mfa"
USE_RECOVERY_CODE = "use_recovery_code"
REGENERATE_RECOVERY_CODES = "regenerate_recovery_codes"
ACTIONS = (
    VIEW_ENTERPRISE, VIEW_RESULT, DOWNLOAD_REPORT, EXPORT_CSV, EXPORT_XLSX, EXPORT_REPORTS_ZIP,
    DEACTIVATE_USER, ACTIVATE_USER, RESET_PASSWORD,
    ENABLE_MFA, DISABLE_MFA, RESET_MFA, USE_RECOVERY_CODE, REGENERATE_RECOVERY_CODES,
)  # fmt: skip
# Service providers (services/grants.py): an owner's grants, and what a provider did or tried.
GRANT_PROVIDER = "grant_provider"
REVOKE_PROVIDER = "revoke_provider"
PROVIDER_SAVE = "provider_save"
PROVIDER_SUBMIT = "provider_submit"
PROVIDER_DENIED = "provider_denied"
ACTIONS += (GRANT_PROVIDER, REVOKE_PROVIDER, PROVIDER_SAVE, PROVIDER_SUBMIT, PROVIDER_DENIED)
# Passwords and addresses (services/password_reset.py, services/email_verification.py).
CHANGE_PASSWORD = "change_password"
RESET_PASSWORD_BY_EMAIL = "reset_password_by_email"
VERIFY_EMAIL = "verify_email"
ACTIONS += (CHANGE_PASSWORD, RESET_PASSWORD_BY_EMAIL, VERIFY_EMAIL)
# The enterprise profile (services/profile.py) and an enterprise's download of its own data.
UPDATE_PROFILE = "update_profile"
CORRECT_USCC = "correct_uscc"
EXPORT_OWN_DATA = "export_own_data"
ACTIONS += (UPDATE_PROFILE, CORRECT_USCC, EXPORT_OWN_DATA)
# Colleagues (services/invitations.py, services/team.py): invitations, members leaving, ownership
# handed over.
INVITE_COLLEAGUE = "invite_colleague"
REVOKE_INVITATION = "revoke_invitation"
ACCEPT_INVITATION = "accept_invitation"
REMOVE_MEMBER = "remove_member"
TRANSFER_OWNERSHIP = "transfer_ownership"
ACTIONS += (INVITE_COLLEAGUE, REVOKE_INVITATION, ACCEPT_INVITATION, REMOVE_MEMBER,
            TRANSFER_OWNERSHIP)  # fmt: skip
# Town officers and the review of campaign submissions (services/town_officers.py, review.py,
# campaign_progress.py).
SET_OFFICER_TOWNS = "set_officer_towns"
VIEW_PROGRESS = "view_progress"
EXPORT_LAGGARDS = "export_laggards"
VIEW_REVIEW = "view_review"
APPROVE_SUBMISSION = "approve_submission"
RETURN_SUBMISSION = "return_submission"
START_CORRECTION = "start_correction"
# A town officer's every view is recorded, the aggregate ones too.
VIEW_DASHBOARD = "view_dashboard"
VIEW_ENTERPRISE_LIST = "view_enterprise_list"
ACTIONS += (SET_OFFICER_TOWNS, VIEW_PROGRESS, EXPORT_LAGGARDS, VIEW_REVIEW, APPROVE_SUBMISSION,
            RETURN_SUBMISSION, START_CORRECTION, VIEW_DASHBOARD, VIEW_ENTERPRISE_LIST)  # fmt: skip
# Campaigns (services/campaigns.py, target_import.py, campaign_reminders.py).
CREATE_CAMPAIGN = "create_campaign"
UPDATE_CAMPAIGN = "update_campaign"
IMPORT_TARGETS = "import_targets"
EXPORT_INVITATIONS = "export_invitations"
SEND_REMINDERS = "send_reminders"
ACTIONS += (CREATE_CAMPAIGN, UPDATE_CAMPAIGN, IMPORT_TARGETS, EXPORT_INVITATIONS, SEND_REMINDERS)
# The API (web/api): every call with a token, and the tokens themselves (services/api_tokens.py).
API_CALL = "api_call"
CREATE_API_TOKEN = "create_api_token"
REVOKE_API_TOKEN = "revoke_api_token"
ACTIONS += (API_CALL, CREATE_API_TOKEN, REVOKE_API_TOKEN)


def record(
    session: Session,
    user: User | None,
    action: str,
    target_type: str | None = None,
    target_id: str | None = None,
    details: dict[str, Any] | None = None,
    ip: str | None = None,
    commit: bool = True,
) -> AuditEvent:
    """Write one audit event (committed unless `commit` is False)."""
    event = AuditEvent(
        user_id=user.id if user is not None else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        details=details or None,
        ip=ip,
    )
    session.add(event)
    if commit:
        session.commit()
    return event


@dataclass
class AuditQuery:
    action: str | None = None
    user_email: str | None = None
    target_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def search(session: Session, query: AuditQuery, page: int, per_page: int) -> tuple[list, int]:
    """Events matching the query, newest first, one page of them, and the total count."""
    stmt = select(AuditEvent, User.email).outerjoin(User, User.id == AuditEvent.user_id)
    conditions = []
    if query.action:
        conditions.append(AuditEvent.action == query.action)
    if query.user_email:
        conditions.append(func.lower(User.email).contains(query.user_email.lower()))
    if query.target_id:
        conditions.append(AuditEvent.target_id == query.target_id)
    if query.since:
        conditions.append(AuditEvent.at >= query.since)
    if query.until:
        conditions.append(AuditEvent.at < query.until)
    stmt = stmt.where(*conditions)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(
        stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return rows, total
