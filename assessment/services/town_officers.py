"""Town officers (镇街 经发办): accounts scoped to one or more towns, and the scope every bureau
view applies. No Flask.

A *scope* is `None` (bureau analysts and admins: the whole city) or the frozenset of town codes
an officer may see. Every bureau query takes it through `Filters.towns`
(`services.bureau_filters`), and every lookup of one enterprise checks it with `in_scope`, so an
officer never sees an enterprise of another town, whatever the URL or the filter says.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from assessment.core.enterprise import is_town, towns
from assessment.core.enums import Role
from assessment.core.text import N_, Problem
from assessment.services import audit
from assessment.services.accounts import AccountError, create_account
from assessment.services.models import Enterprise, User

Scope = frozenset[str] | None


def scope_of(user: User) -> Scope:
    """The towns `user` may see: None (everything) for bureau analysts and admins, the officer's
    towns for a town officer, and no town at all for anyone else."""
    if user.role in (Role.BUREAU, Role.ADMIN):
        return None
    if user.role == Role.TOWN_OFFICER:
        return frozenset(user.towns or ())
    return frozenset()


def in_scope(town: str | None, scope: Scope) -> bool:
    """True when an enterprise (or target) of `town` is visible within `scope`."""
    return scope is None or town in scope


def enterprise_visible(enterprise: Enterprise, scope: Scope) -> bool:
    """True when `enterprise` (by its current town) is visible within `scope`."""
    return in_scope(enterprise.town, scope)


def clean_towns(codes: Iterable[str]) -> tuple[list[str], Problem | None]:
    """The town codes in display order without repeats, or the problem: none given, or a code
    that is not a town of data/cixi.yaml (named)."""
    wanted = {code.strip() for code in codes if code and code.strip()}
    for code in sorted(wanted):
        if not is_town(code):
            return [], Problem(N_("Unknown town “%(code)s”."), {"code": code[:40]})
    if not wanted:
        return [], Problem(N_("A town officer needs at least one town."))
    return [t.code for t in towns() if t.code in wanted], None


def create_town_officer(session: Session, email: str, password: str, codes: Iterable[str]) -> User:
    """Create an active town officer account for these towns and commit it. Raises AccountError
    when the email is taken, a town is unknown or missing, or the password is refused."""
    chosen, problem = clean_towns(codes)
    if problem is not None:
        raise AccountError(problem)
    return create_account(session, email, password, Role.TOWN_OFFICER, towns=chosen)


def set_towns(session: Session, by: User, officer: User, codes: Iterable[str],
              ip: str | None = None) -> Problem | None:  # fmt: skip
    """Give a town officer these towns (audited, with the old and new lists); the problem when
    the list is refused (nothing changes then)."""
    if officer.role != Role.TOWN_OFFICER:
        return Problem(N_("Only town officers have towns."))
    chosen, problem = clean_towns(codes)
    if problem is not None:
        return problem
    before = list(officer.towns or [])
    officer.towns = chosen
    audit.record(session, by, audit.SET_OFFICER_TOWNS, "user", str(officer.id),
                 {"email": officer.email, "before": before, "after": chosen}, ip)  # fmt: skip
    return None
