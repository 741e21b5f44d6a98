"""Admin forms: the user and audit filters (GET, no CSRF) and the per-user action buttons."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, ValidationError

from assessment.core.enums import Role
from assessment.services import audit

ROLE_LABELS = {
    Role.ENTERPRISE: _l("Enterprise user"),
    Role.BUREAU: _l("Bureau analyst"),
    Role.ADMIN: _l("Administrator"),
    Role.PROVIDER: _l("Service provider"),
    Role.TOWN_OFFICER: _l("Town officer"),
}

ACTION_LABELS = {
    audit.VIEW_ENTERPRISE: _l("Viewed an enterprise"),
    audit.VIEW_RESULT: _l("Viewed a result"),
    audit.DOWNLOAD_REPORT: _l("Downloaded a PDF report"),
    audit.EXPORT_CSV: _l("Exported CSV"),
    audit.EXPORT_XLSX: _l("Exported XLSX"),
    audit.EXPORT_REPORTS_ZIP: _l("Exported reports (ZIP)"),
    audit.DEACTIVATE_USER: _l("Deactivated a user"),
    audit.ACTIVATE_USER: _l("Activated a user"),
    audit.RESET_PASSWORD: _l("Reset a password"),
    audit.ENABLE_MFA: _l("Turned on two-step verification"),
    audit.DISABLE_MFA: _l("Turned off two-step verification"),
    audit.RESET_MFA: _l("Reset a two-step verification"),
    audit.USE_RECOVERY_CODE: _l("Signed in with a recovery code"),
    audit.REGENERATE_RECOVERY_CODES: _l("Made new recovery codes"),
}

# Service providers (services/grants.py).
ACTION_LABELS |= {
    audit.GRANT_PROVIDER: _l("Granted a service provider access"),
    audit.REVOKE_PROVIDER: _l("Revoked a service provider's access"),
    audit.PROVIDER_SAVE: _l("Service provider saved a page"),
    audit.PROVIDER_SUBMIT: _l("Service provider submitted"),
    audit.PROVIDER_DENIED: _l("Service provider refused (no access)"),
}

# The enterprise profile and an enterprise's own data (services/profile.py, my_data.py).
ACTION_LABELS |= {
    audit.UPDATE_PROFILE: _l("Changed the enterprise profile"),
    audit.CORRECT_USCC: _l("Corrected a credit code"),
    audit.EXPORT_OWN_DATA: _l("Downloaded own data"),
}

# Passwords and addresses (services/password_reset.py, services/email_verification.py).
ACTION_LABELS |= {
    audit.CHANGE_PASSWORD: _l("Changed their password"),
    audit.RESET_PASSWORD_BY_EMAIL: _l("Reset their password by email"),
    audit.VERIFY_EMAIL: _l("Confirmed their email address"),
}

# Town officers and the review of campaign submissions (services/town_officers.py, review.py).
ACTION_LABELS |= {
    audit.SET_OFFICER_TOWNS: _l("Set a town officer's towns"),
    audit.VIEW_PROGRESS: _l("Viewed a campaign's progress"),
    audit.EXPORT_LAGGARDS: _l("Exported a campaign's laggards"),
    audit.VIEW_REVIEW: _l("Viewed the review of a submission"),
    audit.APPROVE_SUBMISSION: _l("Approved a submission"),
    audit.RETURN_SUBMISSION: _l("Returned a submission for correction"),
    audit.START_CORRECTION: _l("Started correcting a returned submission"),
    audit.VIEW_DASHBOARD: _l("Viewed the dashboard"),
    audit.VIEW_ENTERPRISE_LIST: _l("Viewed the enterprise list"),
}

# Colleagues (services/team.py).
ACTION_LABELS |= {
    audit.INVITE_COLLEAGUE: _l("Invited a colleague"),
    audit.REVOKE_INVITATION: _l("Withdrew an invitation"),
    audit.ACCEPT_INVITATION: _l("Joined an enterprise by invitation"),
    audit.REMOVE_MEMBER: _l("Removed a colleague"),
    audit.TRANSFER_OWNERSHIP: _l("Handed over ownership"),
}

TARGET_LABELS = {
    "user": _l("Account"),
    "enterprise": _l("Company"),
    "assessment": _l("Assessment"),
    "report": _l("Report"),
}
TARGET_LABELS.setdefault("invitation", _l("Invitation"))  # colleagues invited by email
TARGET_LABELS.setdefault("campaign", _l("Campaign"))  # progress views and laggard exports

# Campaigns (services/campaigns.py, target_import.py, web/campaigns/invitations.py).
ACTION_LABELS |= {
    audit.CREATE_CAMPAIGN: _l("Created a campaign"),
    audit.UPDATE_CAMPAIGN: _l("Changed a campaign"),
    audit.IMPORT_TARGETS: _l("Imported a campaign's target list"),
    audit.EXPORT_INVITATIONS: _l("Exported invitations (letters or CSV)"),
    audit.SEND_REMINDERS: _l("Sent campaign reminders"),
}
ACTION_LABELS |= {
    audit.API_CALL: _l("Called the API"),
    audit.CREATE_API_TOKEN: _l("Created an API token"),
    audit.REVOKE_API_TOKEN: _l("Revoked an API token"),
}

STATUS_ACTIVE = "active"
STATUS_INACTIVE = "inactive"
MAX_TEXT = 254
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def role_label(role: str | None) -> str:
    """A role in the user's language (the identifier itself when unknown)."""
    label = ROLE_LABELS.get(role or "")
    return str(label) if label is not None else (role or "")


def action_label(action: str | None) -> str:
    """An audit action in the user's language (the identifier itself when unknown)."""
    label = ACTION_LABELS.get(action or "")
    return str(label) if label is not None else (action or "")


def target_label(target_type: str | None) -> str:
    """An audit target type in the user's language (the identifier itself when unknown)."""
    label = TARGET_LABELS.get(target_type or "")
    return str(label) if label is not None else (target_type or "")


def _parse_date(raw: str | None) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not DATE_RE.match(raw):
        raise ValidationError(_l("Enter a date as YYYY-MM-DD, e.g. 2025-03-31."))
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(_l("This date does not exist. Use YYYY-MM-DD.")) from None


class _FilterForm(FlaskForm):
    """A GET filter form: read from the query string, no CSRF, bad values ignored with a message."""

    class Meta:
        csrf = False

    def clean(self) -> dict:
        """Validate and return the values of the fields that passed (the others are ignored)."""
        self.validate()
        return {
            name: field.data
            for name, field in self._fields.items()
            if not field.errors and field.data not in (None, "")
        }


def _bounded_text(field) -> None:
    field.data = (field.data or "").strip()
    if len(field.data) > MAX_TEXT:
        field.data = ""
        raise ValidationError(_l("Too long: use at most %(max)s characters.", max=MAX_TEXT))


class UserFilterForm(_FilterForm):
    q = StringField(_l("Email contains"))
    role = SelectField(_l("Role"), validate_choice=False)
    status = SelectField(_l("Status"), validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [("", _l("All roles"))] + list(ROLE_LABELS.items())
        self.status.choices = [
            ("", _l("All")),
            (STATUS_ACTIVE, _l("Active")),
            (STATUS_INACTIVE, _l("Deactivated")),
        ]

    def validate_q(self, field):
        _bounded_text(field)

    def validate_role(self, field):
        if field.data and field.data not in ROLE_LABELS:
            field.data = ""
            raise ValidationError(_l("Unknown role; showing all roles."))

    def validate_status(self, field):
        if field.data and field.data not in (STATUS_ACTIVE, STATUS_INACTIVE):
            field.data = ""
            raise ValidationError(_l("Unknown status; showing all accounts."))


class AuditFilterForm(_FilterForm):
    action = SelectField(_l("Action"), validate_choice=False)
    email = StringField(_l("User email contains"))
    target_id = StringField(_l("Target id"))
    date_from = StringField(
        _l("From (date)"), render_kw={"type": "date", "placeholder": "YYYY-MM-DD"}
    )
    date_to = StringField(_l("To (date)"), render_kw={"type": "date", "placeholder": "YYYY-MM-DD"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = [("", _l("All actions"))] + list(ACTION_LABELS.items())

    def validate_action(self, field):
        if field.data and field.data not in ACTION_LABELS:
            field.data = ""
            raise ValidationError(_l("Unknown action; showing all actions."))

    def validate_email(self, field):
        _bounded_text(field)

    def validate_target_id(self, field):
        field.data = (field.data or "").strip()
        if len(field.data) > 64:
            field.data = ""
            raise ValidationError(_l("Too long: use at most %(max)s characters.", max=64))

    def validate_date_from(self, field):
        field.data = _parse_date(field.data)

    def validate_date_to(self, field):
        field.data = _parse_date(field.data)
        start = self.date_from.data if not self.date_from.errors else None
        if field.data and isinstance(start, date) and field.data < start:
            field.data = None
            raise ValidationError(_l("The end date is before the start date; it is ignored."))


class UserActionForm(FlaskForm):
    """One button (deactivate, activate, reset password): only the CSRF token is posted."""

    submit = SubmitField()
