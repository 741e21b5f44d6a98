"""Server time of the main pages through the in-process test client (warm), at one scale.

Survey page GET, page save POST, submit (a fresh full draft per run), result page, bureau dashboard
(warm cache, and cold: the generation bumped as a submit does), enterprise list, CSV export.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import select

from assessment.core.enums import Status
from assessment.services import surveys
from assessment.services.cache import bump_generation
from assessment.services.demo import DEMO_BUREAU_EMAIL, DEMO_ENTERPRISE_EMAIL, DEMO_PASSWORD
from assessment.services.demo_miit import MIIT, miit_answers
from assessment.services.models import Assessment, Enterprise, User, utcnow
from assessment.web.extensions import db
from tests.helpers import page_form, typical_answers

from .common import Timing, timed

QUESTIONNAIRE = "lianghua"


@dataclass
class DemoPaths:
    """Where the demo enterprise's draft and latest result live."""

    enterprise_id: int
    draft_id: str  # public id of the demo enterprise's open draft
    result_id: str  # public id of its latest submitted assessment

    @property
    def survey_page(self) -> str:
        """The first page of the draft."""
        return f"/a/{self.draft_id}/page/0"

    @property
    def result_page(self) -> str:
        """The result page of the submitted assessment."""
        return f"/a/{self.result_id}/result"


def demo_paths(app) -> DemoPaths:
    """The demo enterprise's ids, with an open draft created if it has none."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == DEMO_ENTERPRISE_EMAIL))
        enterprise = db.session.get(Enterprise, user.enterprise_id)
        questionnaire = app.extensions["questionnaires"].get(QUESTIONNAIRE)
        draft = surveys.start(db.session, enterprise, questionnaire)
        result_id = db.session.scalar(
            select(Assessment.public_id)
            .where(Assessment.enterprise_id == enterprise.id,
                   Assessment.status == Status.SUBMITTED)
            .order_by(Assessment.is_latest.desc(), Assessment.id.desc())
        )  # fmt: skip
        return DemoPaths(enterprise.id, draft.public_id, result_id)


def miit_result_page(app) -> str:
    """The demo enterprise's latest MIIT result page; when the seed gave it no MIIT assessment, one
    is submitted through the service first (a mid-level firm's answers, from the MIIT demo)."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == DEMO_ENTERPRISE_EMAIL))
        public_id = db.session.scalar(
            select(Assessment.public_id)
            .where(Assessment.enterprise_id == user.enterprise_id,
                   Assessment.questionnaire_id == MIIT, Assessment.status == Status.SUBMITTED)
            .order_by(Assessment.is_latest.desc(), Assessment.id.desc())
        )  # fmt: skip
        if public_id is None:
            enterprise = db.session.get(Enterprise, user.enterprise_id)
            questionnaire = app.extensions["questionnaires"].get(MIIT)
            draft = surveys.start(db.session, enterprise, questionnaire)
            row = {"employees": enterprise.employees, "revenue_wan": float(enterprise.revenue_wan),
                   "industry": enterprise.industry}  # fmt: skip
            draft.answers = miit_answers(questionnaire, row, 0.45, {}, random.Random(1))
            db.session.commit()
            surveys.submit(db.session, draft, questionnaire)
            public_id = draft.public_id
        return f"/a/{public_id}/result"


def logged_in(app, email: str):
    """A test client signed in as a demo user."""
    client = app.test_client()
    response = client.post("/auth/login", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, f"login of {email} failed: {response.status_code}"
    return client


def _expect(response, *codes: int):
    if response.status_code not in codes:
        raise AssertionError(f"{response.request.path}: HTTP {response.status_code}")
    response.get_data()  # consume streamed bodies inside the timing
    response.close()  # ends a streamed response's request context (and its connection)
    return response


class _Submits:
    """Fills the open draft (untimed) before each timed submit: the enterprise's one open draft
    (the database allows no second one), or a new one once the last was submitted."""

    def __init__(self, app, enterprise_id: int):
        self.app, self.enterprise_id, self.public_id = app, enterprise_id, None
        self.questionnaire = app.extensions["questionnaires"].get(QUESTIONNAIRE)
        self.answers = typical_answers(self.questionnaire)

    def new_draft(self) -> None:
        with self.app.app_context():
            enterprise = db.session.get(Enterprise, self.enterprise_id)
            draft = surveys.start(db.session, enterprise, self.questionnaire)
            draft.answers, draft.prefilled = self.answers, None
            db.session.commit()
            self.public_id = draft.public_id


def _bump(app) -> None:
    with app.app_context():
        bump_generation(db.session)
        db.session.commit()


def measure(app, runs: int = 30, max_seconds: float = 4.0) -> dict[str, Timing]:
    """Timings of every page at this app's scale, keyed by a short name."""
    paths = demo_paths(app)
    enterprise = logged_in(app, DEMO_ENTERPRISE_EMAIL)
    bureau = logged_in(app, DEMO_BUREAU_EMAIL)
    questionnaire = app.extensions["questionnaires"].get(QUESTIONNAIRE)
    answers = typical_answers(questionnaire)
    bounded = {"max_seconds": max_seconds}
    out: dict[str, Timing] = {}

    out["survey page GET"] = timed(
        "survey page GET", lambda: _expect(enterprise.get(paths.survey_page), 200), runs, **bounded
    )

    with app.app_context():
        lock = [db.session.scalar(select(Assessment.lock_version)
                                  .where(Assessment.public_id == paths.draft_id))]  # fmt: skip

    def save():
        form = page_form(questionnaire, 0, answers, nav="save", lock=str(lock[0]))
        _expect(enterprise.post(paths.survey_page, data=form), 302)
        lock[0] += 1

    out["page save POST"] = timed("page save POST", save, runs, **bounded)

    submits = _Submits(app, paths.enterprise_id)
    out["submit"] = timed(
        "submit",
        lambda: _expect(enterprise.post(f"/a/{submits.public_id}/review"), 302),
        max(5, runs // 2),
        1,
        setup=submits.new_draft,
        **bounded,
    )
    result_page = lambda: _expect(enterprise.get(paths.result_page), 200)  # noqa: E731
    out["result page"] = timed("result page", result_page, runs, **bounded)
    # What an enterprise sees right after its own submit: every cohort table is recomputed.
    out["result page (first view after a submit)"] = timed(
        "result page (first view after a submit)", result_page, max(5, runs // 3), 1,
        setup=lambda: _bump(app), **bounded,
    )  # fmt: skip
    dashboard = lambda: _expect(bureau.get("/bureau/"), 200)  # noqa: E731
    out["dashboard (warm)"] = timed("dashboard (warm)", dashboard, runs, **bounded)
    out["dashboard (cold)"] = timed(
        "dashboard (cold)", dashboard, max(5, runs // 3), 1, setup=lambda: _bump(app), **bounded
    )
    # A period that has ended cannot use the maintained totals (the latest assessment within it
    # is another one): its first view aggregates the question scores. A submit cannot change it,
    # so after a submit it is still cached.
    past_year = lambda: _expect(bureau.get(f"/bureau/?period=y{utcnow().year - 1}"), 200)  # noqa: E731
    out["dashboard (last year, uncached)"] = timed(
        "dashboard (last year, uncached)", past_year, max(3, runs // 6), 1,
        setup=lambda: app.extensions["cache"].clear(), **bounded,
    )  # fmt: skip
    out["dashboard (last year, after a submit)"] = timed(
        "dashboard (last year, after a submit)", past_year, max(5, runs // 3), 1,
        setup=lambda: _bump(app), **bounded,
    )  # fmt: skip
    out["enterprise list"] = timed(
        "enterprise list", lambda: _expect(bureau.get("/bureau/enterprises"), 200), runs, **bounded
    )
    out["CSV export (all)"] = timed(
        "CSV export (all)",
        lambda: _expect(bureau.get("/bureau/export.csv"), 200),
        max(5, runs // 3),
        1,
        max_seconds=max_seconds * 2,
    )
    return out


# What the MIIT result page must show for its timing to count: the level, peers and the path.
MIIT_SECTIONS = ('id="miit-level"', 'id="peers"', 'id="path"')


def measure_miit(app, runs: int = 30, max_seconds: float = 4.0) -> dict[str, Timing]:
    """The MIIT result page (level, S, scenarios, peers' levels, the cheapest plan), warm and
    right after a submit, as the enterprise sees it."""
    path = miit_result_page(app)
    enterprise = logged_in(app, DEMO_ENTERPRISE_EMAIL)
    html = _expect(enterprise.get(path), 200).get_data(as_text=True)
    missing = [section for section in MIIT_SECTIONS if section not in html]
    if missing:
        raise AssertionError(f"{path} lacks {', '.join(missing)}")
    page = lambda: _expect(enterprise.get(path), 200)  # noqa: E731
    bounded = {"max_seconds": max_seconds}
    return {
        "result page (MIIT)": timed("result page (MIIT)", page, runs, **bounded),
        "result page (MIIT, first view after a submit)": timed(
            "result page (MIIT, first view after a submit)", page, max(5, runs // 3), 1,
            setup=lambda: _bump(app), **bounded),
    }  # fmt: skip


if __name__ == "__main__":
    import sys

    from .common import app_at_scale

    app, seconds = app_at_scale(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
    for name, timing in (measure(app) | measure_miit(app)).items():
        print(f"{name}: median {timing.median_ms:.1f} ms, p95 {timing.p95_ms:.1f} ms, "
              f"runs {timing.runs}")  # fmt: skip
