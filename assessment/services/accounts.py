"""Accounts: enterprise registration, authentication, password rules. No Flask."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from assessment.core.enterprise import size_class
from assessment.core.enums import Membership, Role
from assessment.core.text import N_, Problem
from assessment.services import campaigns
from assessment.services.models import Enterprise, User, utcnow

MIN_PASSWORD_LENGTH = 10
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parents[2] / "data" / "common-passwords.txt"
# A real hash to compare against when the email is unknown, so both failures take equal time.
_DUMMY_HASH = generate_password_hash("not-a-real-password-0")


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip())


def password_problem(password: str, email: str = "") -> Problem | None:
    """Why a new password is not acceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return Problem(N_("Use at least %(min)s characters."), {"min": MIN_PASSWORD_LENGTH})
    lowered = password.lower()
    if lowered in _common_passwords() or (email and lowered == email.lower()):
        return Problem(N_("This password is too common and easy to guess. Choose another."))
    if len(set(password)) < 4:
        return Problem(N_("This password repeats too few characters. Choose another."))
    return None


def hash_password(password: str) -> str:
    """A slow salted hash (werkzeug's scrypt)."""
    return generate_password_hash(password)


def email_taken(session: Session, email: str) -> bool:
    """True when an account already uses this email (case-insensitive)."""
    stmt = select(User.id).where(func.lower(User.email) == email.strip().lower())
    return session.scalar(stmt) is not None


def uscc_taken(session: Session, uscc: str) -> bool:
    """True when an enterprise with this 统一社会信用代码 is registered."""
    return session.scalar(select(Enterprise.id).where(Enterprise.uscc == uscc)) is not None


class AccountError(Exception):
    """An account that cannot be created as asked; `problem` says why, for the user."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def create_staff_user(session: Session, email: str, password: str, role: Role) -> User:
    """Create an active bureau or admin account with a hashed password and commit it.

    Raises AccountError when the email is taken or the password is refused, and ValueError for a
    role that is not a staff role (enterprise users come with their enterprise, see
    `register_enterprise`).
    """
    role = Role(role)
    if not role.is_staff:
        raise ValueError(f"{role} is not a staff role")
    return create_account(session, email, password, role)


def create_account(session: Session, email: str, password: str, role: Role, **fields) -> User:
    """Create an active account without an enterprise (staff, provider, town officer) with a
    hashed password and `fields`, and commit it; AccountError when the email is taken or the
    password is refused."""
    if email_taken(session, email):
        # The registration form's message, so the translation catalogs already carry it.
        raise AccountError(
            Problem(N_("An account with this email already exists. Please sign in."))
        )
    problem = password_problem(password, email)
    if problem is not None:
        raise AccountError(problem)
    user = User(email=email.strip().lower(), password_hash=hash_password(password), role=role,
                **fields)  # fmt: skip
    session.add(user)
    session.commit()
    return user


MAX_ORGANISATION = 200


def create_provider_user(session: Session, email: str, password: str, organisation: str) -> User:
    """Create an active service provider (数字化服务商) account of `organisation` and commit it.

    The organisation is what enterprises, the history and the PDFs show ("由 XX 服务商协助填写").
    Raises AccountError when the email is taken, the organisation is missing or too long, or the
    password is refused.
    """
    organisation = " ".join(organisation.split())
    if not organisation:
        raise AccountError(Problem(N_("Enter the service provider's organisation name.")))
    if len(organisation) > MAX_ORGANISATION:
        raise AccountError(
            Problem(N_("Use at most %(max)s characters."), {"max": MAX_ORGANISATION})
        )
    return create_account(session, email, password, Role.PROVIDER, organisation=organisation)


@dataclass
class Registration:
    uscc: str
    name: str
    town: str
    industry: str
    employees: int
    revenue_wan: float
    contact_name: str
    contact_phone: str
    email: str
    password: str
    # The campaign invitation code it registered with (its personal link), if any.
    invite_code: str | None = None


def register_enterprise(session: Session, data: Registration) -> User:
    """Create the enterprise and its first user in one transaction; returns the user. The
    enterprise is bound to its campaign targets: the one of `invite_code`, and every one listing
    its credit code."""
    enterprise = Enterprise(
        uscc=data.uscc,
        name=data.name.strip(),
        town=data.town,
        industry=data.industry,
        employees=data.employees,
        revenue_wan=data.revenue_wan,
        size_class=size_class(data.employees, data.revenue_wan),
        contact_name=data.contact_name.strip(),
        contact_phone=data.contact_phone.strip(),
    )
    user = User(
        email=data.email.strip().lower(),
        password_hash=hash_password(data.password),
        role=Role.ENTERPRISE,
        enterprise=enterprise,
        membership=Membership.OWNER,
    )
    session.add_all([enterprise, user])
    campaigns.bind_enterprise(session, enterprise, data.invite_code)
    session.commit()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, or None (same cost whether or not the email exists)."""
    user = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    user.last_login_at = utcnow()
    session.commit()
    return user


def end_sessions(session: Session, user: User) -> None:
    """Invalidate every session of this user (logout everywhere, password reset)."""
    user.session_version += 1
    session.commit()
