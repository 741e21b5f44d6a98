"""Answers sent by the API (any questions, any order) grouped by survey page and passed through the
same checks and the same save as the pages (`core.survey.check_page`, `surveys.save_page`), so
relevance, required questions, derivations and the compare-and-set apply unchanged. No Flask."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from assessment.core.questionnaire.answers import clean, missing_required
from assessment.core.questionnaire.model import Page, Questionnaire
from assessment.core.survey import check_page
from assessment.core.text import N_, Problem
from assessment.services import surveys
from assessment.services.models import Assessment, User

UNKNOWN = Problem(N_("This questionnaire has no question with this id."))
NAV = "save"  # a partial save: required questions are reported by `missing`, not refused


@dataclass
class Checked:
    """Every problem of a set of answers (per question id) and the required ones still missing
    once they would be stored."""

    problems: dict[str, Problem]
    missing: list[str] = field(default_factory=list)


@dataclass
class Saved:
    """What became of a save: problems (nothing saved), a conflict or a submitted draft."""

    problems: dict[str, Problem] = field(default_factory=dict)
    conflict: bool = False
    submitted: bool = False


def by_page(questionnaire: Questionnaire, answers: dict[str, Any]) -> list[tuple[Page, dict]]:
    """The given answers grouped by page, in page order."""
    grouped = []
    for page in questionnaire.pages:
        given = {q.id: answers[q.id] for q in page.questions if q.id in answers}
        if given:
            grouped.append((page, given))
    return grouped


def _raw(page: Page, stored: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """A page as if posted: the stored answers of its other questions kept, the given ones over
    them (a page post replaces the whole page, an API save only what it names)."""
    return {q.id: stored[q.id] for q in page.questions if q.id in stored} | given


def check(questionnaire: Questionnaire, assessment: Assessment, answers: dict[str, Any]) -> Checked:
    """Check answers against the draft without saving anything: every problem at once."""
    problems = {qid: UNKNOWN for qid in answers if questionnaire.question(qid) is None}
    merged = dict(assessment.answers or {})
    for page, given in by_page(questionnaire, answers):
        checked = check_page(questionnaire, merged, page, _raw(page, merged, given), NAV)
        problems.update(checked.problems)
        merged = checked.merged
    return Checked(problems, missing_required(questionnaire, clean(questionnaire, merged)))


def save(session: Session, questionnaire: Questionnaire, assessment: Assessment,
         answers: dict[str, Any], lock_version: int, by: User) -> Saved:  # fmt: skip
    """Save answers all or nothing as to validity: any problem saves nothing. Each page is saved
    with a compare-and-set, the first against the client's `lock_version`."""
    problems = check(questionnaire, assessment, answers).problems
    if problems:
        return Saved(problems)
    if assessment.lock_version != lock_version:
        return Saved(conflict=assessment.status == "draft", submitted=assessment.status != "draft")
    version = lock_version
    for page, given in by_page(questionnaire, answers):
        raw = _raw(page, assessment.answers or {}, given)
        outcome = surveys.save_page(session, assessment, questionnaire, page, raw, NAV, version,
                                    by=by)  # fmt: skip
        if outcome.conflict or outcome.submitted:
            return Saved(conflict=outcome.conflict, submitted=outcome.submitted)
        version = assessment.lock_version
    return Saved()
