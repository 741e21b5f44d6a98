"""Plausibility checks of a campaign submission: what a reviewer (审核) should look at, each with
its reason. Pure: no Flask, no database.

One small class per check (`CHECKS`). A check reads the answers it knows and says nothing about
questionnaires without them, so a new questionnaire needs no change here. A check returns a
`Flag`: a stable code and JSON-ready parameters, stored with the submission
(`assessment.review_flags`) and turned into a translatable `Problem` when shown (`reason`), so the
reviewer reads it in their own language however long ago it was found.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from assessment.core.levels import ScenarioCount
from assessment.core.questionnaire.model import Questionnaire
from assessment.core.scoring import SCORED, UNANSWERED, Result, score
from assessment.core.text import N_, Problem, Text

# Faster than this per answered question, from opening the draft to submitting, is implausible
# for someone reading the questions (the questionnaires say 20–30 minutes).
SECONDS_PER_ANSWER = 6
# A change of the total by more than this since the previous assessment is looked at.
JUMP_POINTS = 30
# "Everything at the top" needs at least this many scored questions (not a two-question form).
MIN_TOP_QUESTIONS = 5


@dataclass(frozen=True)
class Other:
    """The enterprise's latest submission of another questionnaire (for contradictions between
    questionnaires: a claim in one, its denial in the other)."""

    questionnaire: Questionnaire
    answers: Mapping[str, Any]


@dataclass(frozen=True)
class Submission:
    """Everything the checks read about one submission."""

    questionnaire: Questionnaire
    answers: Mapping[str, Any]
    result: Result
    seconds: float | None = None  # from the draft's creation to the submit; None: not timed
    previous_total: float | None = None  # the enterprise's previous total of this questionnaire
    others: Mapping[str, Other] = field(default_factory=dict)  # by questionnaire id


@dataclass(frozen=True)
class Flag:
    """A check that fired: its code and the values its message needs (JSON-ready)."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The stored form."""
        return {"code": self.code, "params": self.params}


def _text(value: Text) -> dict[str, str]:
    return value.as_dict()


def _number(answers: Mapping[str, Any], qid: str) -> float | None:
    value = answers.get(qid)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def _show(value: float) -> str:
    return f"{value:g}"


class Check(ABC):
    """One plausibility check."""

    code: ClassVar[str]
    message: ClassVar[str]  # an N_ message; its %(name)s parameters are the flag's params

    @abstractmethod
    def find(self, submission: Submission) -> Flag | None:
        """The flag when `submission` looks implausible in this check's way, else None."""


class _PartAboveWhole(Check):
    """A count (or share) that cannot exceed another one does. `PAIRS`: questionnaire id →
    (part question, whole question)."""

    PAIRS: ClassVar[dict[str, tuple[tuple[str, str], ...]]] = {}

    def find(self, submission):
        q, answers = submission.questionnaire, submission.answers
        for part_id, whole_id in self.PAIRS.get(q.id, ()):
            part, whole = _number(answers, part_id), _number(answers, whole_id)
            part_q, whole_q = q.question(part_id), q.question(whole_id)
            if None in (part, whole, part_q, whole_q) or part <= whole:
                continue
            return Flag(self.code, {"part": _text(part_q.text), "part_value": _show(part),
                                    "whole": _text(whole_q.text), "whole_value": _show(whole)})  # fmt: skip
        return None


class NetworkedAboveTotal(_PartAboveWhole):
    """More networked (or digital) machines than production machines in all."""

    code = "networked_above_total"
    message = N_("“%(part)s” (%(part_value)s) is more than “%(whole)s” (%(whole_value)s).")
    PAIRS = {
        "miit": (("m_equipment_networked_count", "m_equipment_total"),
                 ("m_equipment_digital_count", "m_equipment_total")),
    }  # fmt: skip


class NetworkedAboveDigital(_PartAboveWhole):
    """More networked machines than digital ones: a machine that sends its data to a system is
    digital by both questionnaires' definitions (a retrofitted collection box counts for both)."""

    code = "networked_above_digital"
    message = N_(
        "“%(part)s” (%(part_value)s) is more than “%(whole)s” (%(whole_value)s), though a "
        "networked machine counts as digital."
    )
    PAIRS = {
        "miit": (("m_equipment_networked_count", "m_equipment_digital_count"),),
        "lianghua": (("f_equipment_networked_rate", "f_equipment_digital_rate"),),
    }


# Where each questionnaire says "no information system at all": question id → the answer.
NO_SYSTEM = {"lianghua": ("f_systems", "none"), "miit": ("m_info_systems", "a")}
# Where cloud systems are claimed: ladders of this dimension at this level or above (L2: a
# dedicated cloud system in at least one department).
CLOUD_CLAIM = ("cloud", "saas", 2)


def _no_system(questionnaire_id: str, answers: Mapping[str, Any]) -> bool:
    if questionnaire_id not in NO_SYSTEM:
        return False
    qid, none = NO_SYSTEM[questionnaire_id]
    value = answers.get(qid)
    return value == none or value == [none]


def _cloud_claims(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> int:
    qid, dimension, level = CLOUD_CLAIM
    if questionnaire.id != qid:
        return 0
    ladders = [
        q for q in questionnaire.questions if q.dimension == dimension and q.type == "ladder"
    ]
    return sum(1 for q in ladders if (_number(answers, q.id) or 0) >= level)


class CloudWithoutSystems(Check):
    """Cloud systems claimed in the cloud questionnaire while another questionnaire of the same
    enterprise says no information system is in use (whichever of the two is submitted now)."""

    code = "cloud_without_systems"
    message = N_(
        "“%(cloud)s” claims cloud systems in %(count)s business areas, but “%(other)s” says no "
        "information system is in use."
    )

    def find(self, submission):
        mine = (submission.questionnaire, submission.answers)
        pairs = [(mine, (o.questionnaire, o.answers)) for o in submission.others.values()]
        for (q1, a1), (q2, a2) in pairs + [(b, a) for a, b in pairs]:
            count = _cloud_claims(q1, a1)
            if count and _no_system(q2.id, a2):
                return Flag(self.code, {"cloud": _text(q1.title), "count": count,
                                        "other": _text(q2.title)})  # fmt: skip
        return None


# Where a MIIT level is claimed: (questionnaire, question, choice, index of the claimed level in
# the MIIT level order: 2 = 二级, "level 2 or above").
MIIT_CLAIMS = (("lianghua", "p_recognition", "miit_level", 2),)
MIIT = "miit"


class MiitClaimWithoutScenarios(Check):
    """A claim of a MIIT level (e.g. "level 2 or above" among the recognitions) that the
    enterprise's own MIIT scenario ratings do not support."""

    code = "miit_claim_without_scenarios"
    message = N_(
        "“%(source)s” claims %(level)s or above in the MIIT assessment, but the MIIT scenarios "
        "rated do not support it: %(have)s at level %(at)s or above (%(have_c)s constrained); "
        "%(level)s needs %(need)s (%(need_c)s constrained)."
    )

    def find(self, submission):
        sources = {submission.questionnaire.id: (submission.questionnaire, submission.answers)}
        sources |= {qid: (o.questionnaire, o.answers) for qid, o in submission.others.items()}
        if MIIT not in sources:
            return None
        miit, miit_answers = sources[MIIT]
        if submission.questionnaire.id == MIIT:
            ratings = submission.result.scenarios
        else:
            ratings = score(miit, miit_answers).scenarios
        for qid, question_id, choice, index in MIIT_CLAIMS:
            if qid not in sources or choice not in (sources[qid][1].get(question_id) or ()):
                continue
            if index >= len(miit.levels):
                continue
            level = miit.levels[index]
            for condition in level.conditions:
                if not isinstance(condition, ScenarioCount):
                    continue
                have, have_c = condition.met_by(miit, ratings)
                if have < condition.count or have_c < condition.constrained:
                    return Flag(self.code, {
                        "source": _text(sources[qid][0].title), "level": _text(level.label),
                        "have": have, "have_c": have_c, "at": condition.level,
                        "need": condition.count, "need_c": condition.constrained})  # fmt: skip
        return None


class AllAtTop(Check):
    """Every scored answer is the best possible one."""

    code = "all_at_top"
    message = N_(
        "Every scored answer is the best possible one (%(count)s questions at full points)."
    )

    def find(self, submission):
        scored = [r for r in submission.result.questions.values()
                  if r.max_points > 0 and r.status in (SCORED, UNANSWERED)]  # fmt: skip
        if len(scored) < MIN_TOP_QUESTIONS:
            return None
        if all(r.status == SCORED and r.points >= r.max_points for r in scored):
            return Flag(self.code, {"count": len(scored)})
        return None


class TooFast(Check):
    """Finished faster than anyone reading the questions could."""

    code = "too_fast"
    message = N_(
        "Filled in within %(minutes)s minutes for %(count)s answers: under %(per)s seconds an "
        "answer."
    )

    def find(self, submission):
        count = sum(1 for value in submission.answers.values() if value not in (None, "", []))
        if submission.seconds is None or not count:
            return None
        if submission.seconds >= SECONDS_PER_ANSWER * count:
            return None
        return Flag(self.code, {"minutes": f"{max(submission.seconds, 0) / 60:.1f}",
                                "count": count, "per": SECONDS_PER_ANSWER})  # fmt: skip


class BigJump(Check):
    """The total moved by more than `JUMP_POINTS` since the previous assessment."""

    code = "big_jump"
    message = N_(
        "The total moved from %(before)s to %(after)s since the previous assessment: more than "
        "%(limit)s points."
    )

    def find(self, submission):
        before, after = submission.previous_total, submission.result.total
        if before is None or abs(after - before) <= JUMP_POINTS:
            return None
        return Flag(self.code, {"before": f"{before:.1f}", "after": f"{after:.1f}",
                                "limit": JUMP_POINTS})  # fmt: skip


CHECKS: tuple[Check, ...] = (
    NetworkedAboveTotal(), NetworkedAboveDigital(), CloudWithoutSystems(),
    MiitClaimWithoutScenarios(), AllAtTop(), TooFast(), BigJump(),
)  # fmt: skip
BY_CODE = {check.code: check for check in CHECKS}
UNKNOWN = N_("Flagged for review (%(code)s).")


def flags(submission: Submission) -> list[Flag]:
    """Every check that fires on `submission`, in the order of `CHECKS`."""
    return [flag for check in CHECKS if (flag := check.find(submission)) is not None]


def reason(stored: Mapping[str, Any]) -> Problem:
    """A stored flag (`Flag.as_dict`) as a message to translate where it is shown; bilingual
    parameters come back as `Text`, shown in the reader's language."""
    code = str(stored.get("code", ""))
    params = {
        key: Text(value.get("zh", ""), value.get("en", "")) if isinstance(value, dict) else value
        for key, value in (stored.get("params") or {}).items()
    }
    check = BY_CODE.get(code)
    if check is None:
        return Problem(UNKNOWN, {"code": code})
    return Problem(check.message, params)
