"""The database itself refuses rows that break the invariants the code keeps (migration 0006): one
latest submission and one open draft per enterprise and questionnaire, and CHECK constraints on
statuses, roles, scores and figures. Every row here is written directly, around the code."""

from __future__ import annotations

import dataclasses
import itertools

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assessment.core.enterprise import size_class, size_classes
from assessment.core.enums import JobStatus, Role, Status
from assessment.services import surveys
from assessment.services.models import (
    Assessment,
    DimensionScore,
    Enterprise,
    Job,
    QuestionScore,
    User,
    utcnow,
)

from . import factories as f
from .helpers import typical_answers

_n = itertools.count(1)

# What each database says when the partial unique index (not a CHECK) refuses a row.
UNIQUE_PAIR = ("assessment.enterprise_id, assessment.questionnaire_id",)  # SQLite


def _refused(session, row, constraint: str | tuple[str, ...]) -> None:
    """Adding `row` fails with an IntegrityError naming `constraint` (or one of its spellings)."""
    names = (constraint,) if isinstance(constraint, str) else constraint
    session.add(row)
    with pytest.raises(IntegrityError) as caught:
        session.flush()
    session.rollback()
    assert any(name in str(caught.value) for name in names), str(caught.value)


def _accepted(session, row) -> None:
    session.add(row)
    session.flush()


# Row builders: each makes a valid row (with its own parents) unless `changes` break it.


def new_enterprise(session, **changes) -> Enterprise:
    n = next(_n)
    values = {
        "uscc": f"INV{n:015d}",  # unique is all the database asks of it
        "name": f"约束测试企业{n}",
        "town": "zhouxiang",
        "industry": "appliances",
        "employees": 50,
        "revenue_wan": 800.0,
        "size_class": "small",
    }
    return Enterprise(**(values | changes))


def new_user(session, **changes) -> User:
    values = {
        "email": f"user{next(_n)}@example.com",
        "password_hash": "x",
        "role": Role.ENTERPRISE,
        "enterprise_id": f.enterprise(session).id,
    }
    return User(**(values | changes))


def new_draft(session, **changes) -> Assessment:
    values = {
        "enterprise": f.enterprise(session),
        "questionnaire_id": "lianghua",
        "questionnaire_version": "2025.1",
        "answers": {},
    }
    return Assessment(**(values | changes))


def new_submitted(session, **changes) -> Assessment:
    values = {
        "enterprise": f.enterprise(session),
        "questionnaire_id": "lianghua",
        "questionnaire_version": "2025.1",
        "status": Status.SUBMITTED,
        "answers": {},
        "total": 62.5,
        "stage": "starting",
        "submitted_at": utcnow(),
        "is_latest": True,
    }
    return Assessment(**(values | changes))


def _scored_assessment(session) -> Assessment:
    return f.submitted(session, f.enterprise(session), 50, dims={})


def new_dimension_score(session, **changes) -> DimensionScore:
    values = {
        "assessment_id": _scored_assessment(session).id,
        "dimension_id": "foundation",
        "score": 100.0,
    }
    return DimensionScore(**(values | changes))


def new_question_score(session, **changes) -> QuestionScore:
    values = {
        "assessment_id": _scored_assessment(session).id,
        "question_id": "f_network",
        "points": 8.0,
        "max_points": 8.0,
    }
    return QuestionScore(**(values | changes))


def new_job(session, **changes) -> Job:
    values = {"kind": "batch_reports", "params": {}, "total": 0, "done": 0, "attempts": 0,
              "max_attempts": 3}  # fmt: skip
    return Job(**(values | changes))


def case(make, changes: dict, constraint: str, *marks):
    """A row built by `make` with `changes`, refused by `constraint`."""
    name = f"{constraint}-{'-'.join(map(str, changes.values()))}"
    return pytest.param(make, changes, constraint, marks=marks, id=name)


CHECKS = [
    case(new_enterprise, {"employees": -1}, "ck_enterprise_employees_not_negative"),
    case(new_enterprise, {"revenue_wan": -0.1}, "ck_enterprise_revenue_not_negative"),
    case(new_enterprise, {"size_class": "huge"}, "ck_enterprise_size_class"),
    case(new_user, {"role": "root"}, "ck_user_account_role"),
    case(new_draft, {"status": "archived"}, "ck_assessment_status"),
    case(new_submitted, {"total": None}, "ck_assessment_submitted_is_scored"),
    case(new_submitted, {"stage": None}, "ck_assessment_submitted_is_scored"),
    case(new_submitted, {"submitted_at": None}, "ck_assessment_submitted_is_scored"),
    case(new_draft, {"is_latest": True}, "ck_assessment_latest_is_submitted"),
    case(new_submitted, {"total": 100.01}, "ck_assessment_total_range"),
    case(new_submitted, {"total": -0.01}, "ck_assessment_total_range"),
    case(new_draft, {"total": 250.0}, "ck_assessment_total_range"),
    case(new_dimension_score, {"score": 100.5}, "ck_dimension_score_score_range"),
    case(new_dimension_score, {"score": -1.0}, "ck_dimension_score_score_range"),
    case(new_question_score, {"points": -1.0}, "ck_question_score_points_range"),
    case(new_question_score, {"points": 0.0, "max_points": -1.0}, "ck_question_score_points_range"),
    case(new_question_score, {"points": 8.5}, "ck_question_score_points_range"),
    case(new_job, {"status": "paused"}, "ck_job_status"),
    case(new_job, {"done": -1}, "ck_job_progress_not_negative"),
    case(new_job, {"total": -1}, "ck_job_progress_not_negative"),
    case(new_job, {"attempts": -1}, "ck_job_attempts"),
    case(new_job, {"max_attempts": 0}, "ck_job_attempts"),
]


@pytest.mark.parametrize(("make", "changes", "constraint"), CHECKS)
def test_a_row_breaking_a_check_is_refused(session, make, changes, constraint):
    _accepted(session, make(session))  # the same row without the change is fine
    _refused(session, make(session, **changes), constraint)


def test_an_update_breaking_a_check_is_refused(session):
    a = f.submitted(session, f.enterprise(session), 70)
    session.commit()
    with pytest.raises(IntegrityError, match="ck_assessment_latest_is_submitted"):
        session.execute(update(Assessment).where(Assessment.id == a.id).values(status="draft"))
    session.rollback()
    assert session.get(Assessment, a.id).status == Status.SUBMITTED


def test_every_value_the_code_uses_passes_the_checks(session):
    """The CHECK lists hold every enum value and size class (so they cannot fall behind)."""
    for role in Role:
        _accepted(session, new_user(session, role=role))
    for code in {c.code for c in size_classes()} | {
        size_class(e, r) for e in (0, 19, 20, 300, 1000) for r in (0, 299, 300, 2000, 40000)
    }:
        _accepted(session, new_enterprise(session, size_class=code))
    for status in JobStatus:
        _accepted(session, new_job(session, status=status))
    _accepted(session, new_draft(session, status=Status.DRAFT))
    _accepted(session, new_submitted(session, status=Status.SUBMITTED, total=0.0))
    _accepted(session, new_submitted(session, total=100.0))
    _accepted(session, new_question_score(session, points=0.0, max_points=0.0))
    _accepted(session, new_dimension_score(session, score=0.0))
    session.commit()


def test_a_second_latest_assessment_is_refused(session):
    ent = f.enterprise(session)
    f.submitted(session, ent, 55, days_ago=30)
    f.submitted(session, ent, 60, days_ago=10)  # the factory moves the flag: still one latest
    _accepted(session, new_submitted(session, enterprise=ent, is_latest=False))
    _accepted(session, new_submitted(session, enterprise=ent, questionnaire_id="cloud"))
    _accepted(session, new_submitted(session))  # another enterprise
    session.commit()
    row = new_submitted(session, enterprise=ent)
    _refused(session, row, ("uq_assessment_one_latest", *UNIQUE_PAIR))


def test_a_second_open_draft_is_refused(session):
    ent = f.enterprise(session)
    f.submitted(session, ent, 55)
    _accepted(session, new_draft(session, enterprise=ent))
    _accepted(session, new_draft(session, enterprise=ent, questionnaire_id="cloud"))
    _accepted(session, new_draft(session))  # another enterprise
    session.commit()
    row = new_draft(session, enterprise=ent, questionnaire_version="2024.1")
    _refused(session, row, ("uq_assessment_one_draft", *UNIQUE_PAIR))


def test_start_racing_another_start_resumes_its_draft(session, registry, monkeypatch):
    """Two requests both find no draft; the one whose insert loses returns the other's draft."""
    questionnaire = registry.get("lianghua")
    ent = f.enterprise(session)
    other = new_draft(session, enterprise=ent, questionnaire_version=questionnaire.version)
    _accepted(session, other)
    session.commit()
    real_find_draft = surveys.find_draft
    calls = []

    def find_draft_before_the_other_commits(*args):
        calls.append(args)
        return None if len(calls) == 1 else real_find_draft(*args)

    monkeypatch.setattr(surveys, "find_draft", find_draft_before_the_other_commits)
    draft = surveys.start(session, ent, questionnaire)
    assert draft.id == other.id
    assert len(calls) == 2
    drafts = select(func.count()).where(
        Assessment.enterprise_id == ent.id, Assessment.status == Status.DRAFT
    )
    assert session.scalar(drafts) == 1


def test_start_refused_for_another_reason_than_the_race_raises(session, registry):
    """An insert refused for another reason than a second open draft (here: no version) raises;
    it is not taken for the race, which would resume a draft that does not exist."""
    ent = f.enterprise(session)
    session.commit()
    without_version = dataclasses.replace(registry.get("lianghua"), version=None)
    with pytest.raises(IntegrityError):
        surveys.start(session, ent, without_version)
    assert session.scalar(select(func.count()).select_from(Assessment)) == 0


def test_a_draft_submitted_twice_at_once_is_scored_once(session, registry):
    """Two requests submit the same draft (a double click): the one that comes second gets a
    conflict, and the scores are stored once."""
    questionnaire = registry.get("cloud")
    draft = surveys.start(session, f.enterprise(session), questionnaire)
    draft.answers = typical_answers(questionnaire, "best")
    session.commit()
    with Session(session.get_bind(), expire_on_commit=False) as other:
        surveys.submit(other, other.get(Assessment, draft.id), questionnaire)
    assert draft.status == Status.DRAFT  # what the second request read
    with pytest.raises(surveys.ConflictError):
        surveys.submit(session, draft, questionnaire)
    scores = select(func.count()).where(DimensionScore.assessment_id == draft.id)
    assert session.scalar(scores) == len(questionnaire.dimensions)
    latest = select(func.count()).where(Assessment.is_latest.is_(True))
    assert session.scalar(latest) == 1


def test_a_page_saved_after_another_request_submitted_the_draft_changes_nothing(session, registry):
    """The page was read while the draft was open; another request (a second tab) submitted it
    before this save: the compare-and-set refuses, and the submitted answers stay as submitted."""
    questionnaire = registry.get("cloud")
    draft = surveys.start(session, f.enterprise(session), questionnaire)
    draft.answers = typical_answers(questionnaire, "best")
    session.commit()
    lock = draft.lock_version
    with Session(session.get_bind(), expire_on_commit=False) as other:
        surveys.submit(other, other.get(Assessment, draft.id), questionnaire)
    page = questionnaire.pages[0]
    worst = typical_answers(questionnaire, "worst")
    raw = {q.id: worst[q.id] for q in page.questions if q.id in worst}
    assert draft.status == Status.DRAFT  # what this request still believes
    outcome = surveys.save_page(session, draft, questionnaire, page, raw, "next", lock)
    assert outcome.submitted and not outcome.saved and not outcome.conflict
    session.expire_all()
    stored = session.get(Assessment, draft.id)
    assert stored.status == Status.SUBMITTED and stored.total == 100
    assert stored.answers == typical_answers(questionnaire, "best")
