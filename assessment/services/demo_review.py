"""The review part of the demo campaign: its submissions flagged by the real plausibility checks,
some approved, some returned with a note (the demo enterprise's among them, so its home page
shows the loop), the rest waiting; and a demo town officer. No Flask.

Called by `demo_campaign.demo_review_submissions` once the campaign's submissions are tagged.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import null, select, update
from sqlalchemy.orm import Session

from assessment.core import plausibility
from assessment.core.enums import Review, Role, Status
from assessment.core.questionnaire.registry import Registry
from assessment.core.scoring import score
from assessment.services import surveys
from assessment.services.models import Assessment, Campaign, User, utcnow

DEMO_OFFICER_EMAIL = "demo-officer@cixi.example"
DEMO_OFFICER_TOWNS = ["zhouxiang", "guanhaiwei"]
# Some demo submissions were "filled in" this fast (the seed has no real filling times).
FAST_SHARE, FAST_SECONDS = 0.08, 150
APPROVED_SHARE = 0.5  # of the unflagged ones
RETURNED_FLAGGED = 3  # flagged ones returned with a note (besides the demo enterprise's)
NOTES = {
    "networked_above_total": "设备联网台数大于设备总数，请核对设备台账后重新填写第 2、3 题。",
    "networked_above_digital": "联网设备比例高于数字化设备比例，请核对设备台账后重新填写。",
    "all_at_top": "所有计分题均为最高档，请对照每题的评分参考逐项核实，并准备佐证材料。",
    "too_fast": "填写用时过短，请对照评分参考逐题核实后重新提交。",
    "big_jump": "总分较上次评估变化超过 30 分，请核实变化较大的题目并在备注中说明原因。",
}
DEFAULT_NOTE = "请对照评分参考核实第 5 题“信息系统”覆盖的业务环节和各数字化经营场景的自评等级，修改后重新提交。"


def _submissions(session: Session, campaign: Campaign) -> list[Assessment]:
    return list(
        session.scalars(
            select(Assessment)
            .where(Assessment.campaign_id == campaign.id, Assessment.status == Status.SUBMITTED)
            .order_by(Assessment.id)
        )
    )


def _flags(session: Session, a: Assessment, registry: Registry, rng: random.Random) -> list:
    """The real checks on a seeded submission (timed only for the few made "fast")."""
    questionnaire = registry.get(a.questionnaire_id, a.questionnaire_version)
    if questionnaire is None:
        return []
    previous = session.scalar(
        select(Assessment.total)
        .where(Assessment.enterprise_id == a.enterprise_id,
               Assessment.questionnaire_id == a.questionnaire_id,
               Assessment.status == Status.SUBMITTED, Assessment.submitted_at < a.submitted_at)
        .order_by(Assessment.submitted_at.desc()).limit(1)
    )  # fmt: skip
    others = {}
    for qid, version, answers in session.execute(
        select(Assessment.questionnaire_id, Assessment.questionnaire_version, Assessment.answers)
        .where(Assessment.enterprise_id == a.enterprise_id, Assessment.is_latest.is_(True),
               Assessment.questionnaire_id != a.questionnaire_id)
    ):  # fmt: skip
        if (other := registry.get(qid, version)) is not None:
            others[qid] = plausibility.Other(other, answers or {})
    seconds = FAST_SECONDS if rng.random() < FAST_SHARE else None
    submission = plausibility.Submission(questionnaire, a.answers or {}, score(questionnaire,
                                         a.answers or {}), seconds, previous, others)  # fmt: skip
    return [flag.as_dict() for flag in plausibility.flags(submission)]


def _decide(a: Assessment, status: Review, reviewer_id: int | None, note: str | None,
            rng: random.Random) -> dict:  # fmt: skip
    when = max(a.submitted_at, utcnow() - timedelta(days=rng.uniform(0.5, 10)))
    return {"review_status": status, "reviewed_by_id": reviewer_id, "reviewed_at": when,
            "review_note": note}  # fmt: skip


def review_demo_submissions(session: Session, campaign: Campaign, registry: Registry,
                            rng: random.Random, demo_enterprise_id: int | None) -> None:  # fmt: skip
    """Flag the campaign's submissions, return the demo enterprise's and a few flagged ones with
    a note, approve about half of the unflagged, leave the rest pending (decided by the demo
    bureau analyst); add the demo town officer; flushes."""
    reviewer = _demo_bureau(session)
    _demo_enterprise_round(session, campaign, registry, demo_enterprise_id)
    flagged_left = RETURNED_FLAGGED
    for a in _submissions(session, campaign):
        found = _flags(session, a, registry, rng)
        values: dict = {"review_flags": found or null()}  # SQL NULL: "no flag"
        if a.enterprise_id == demo_enterprise_id or (found and flagged_left > 0):
            flagged_left -= a.enterprise_id != demo_enterprise_id
            note = NOTES.get(found[0]["code"], DEFAULT_NOTE) if found else DEFAULT_NOTE
            values |= _decide(a, Review.RETURNED, reviewer, note, rng)
        elif not found and rng.random() < APPROVED_SHARE:
            values |= _decide(a, Review.APPROVED, reviewer, None, rng)
        session.execute(
            update(Assessment).where(Assessment.id == a.id).values(**values)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
    _demo_officer(session, reviewer)
    session.flush()


def _demo_enterprise_round(session: Session, campaign: Campaign, registry: Registry,
                           enterprise_id: int | None) -> None:  # fmt: skip
    """Give the demo enterprise (the demo login) a campaign submission when it has none: its
    latest answers submitted again through the real submit (scores, totals, review), so signing
    in as it shows a returned submission and its note."""
    qid = (campaign.questionnaire_ids or [""])[0]
    questionnaire = registry.get(qid)
    if enterprise_id is None or questionnaire is None:
        return
    mine = select(Assessment).where(Assessment.enterprise_id == enterprise_id,
                                    Assessment.questionnaire_id == qid)  # fmt: skip
    if session.scalar(mine.where(Assessment.campaign_id == campaign.id).limit(1)) is not None:
        return
    latest = session.scalar(mine.where(Assessment.is_latest.is_(True)))
    if latest is None or session.scalar(mine.where(Assessment.status == Status.DRAFT)) is not None:
        return
    started = utcnow() - timedelta(minutes=40)  # filled in over 40 minutes: not "too fast"
    draft = Assessment(enterprise_id=enterprise_id, questionnaire_id=qid,
                       questionnaire_version=questionnaire.version, is_demo=True,
                       answers=dict(latest.answers or {}), created_at=started, updated_at=started)  # fmt: skip
    session.add(draft)
    session.flush()
    surveys.submit(session, draft, questionnaire, registry=registry)


def _demo_bureau(session: Session) -> int | None:
    """The demo database's bureau analyst (the first bureau account)."""
    stmt = select(User.id).where(User.role == Role.BUREAU).order_by(User.id).limit(1)
    return session.scalar(stmt)


def _demo_officer(session: Session, reviewer_id: int | None) -> None:
    """A town officer of two towns, to see the scoped views, with the demo bureau's password."""
    password_hash = session.scalar(select(User.password_hash).where(User.id == reviewer_id))
    taken = session.scalar(select(User.id).where(User.email == DEMO_OFFICER_EMAIL))
    if password_hash is not None and taken is None:
        session.add(User(email=DEMO_OFFICER_EMAIL, password_hash=password_hash,
                         role=Role.TOWN_OFFICER, towns=DEMO_OFFICER_TOWNS,
                         email_verified_at=utcnow()))  # fmt: skip
