"""`text`: a free answer, never scored (e.g. which systems are in use)."""

from __future__ import annotations

from assessment.core.question_types.base import QuestionType
from assessment.core.text import N_, Problem

DEFAULT_MAX_LENGTH = 1000


class FreeText(QuestionType):
    """Up to `max_length` characters; optional unless the file says `required: true`."""

    name = "text"
    scored = False
    required_by_default = False

    def parse(self, raw, where, problems, earlier):
        max_length = raw.get("max_length", DEFAULT_MAX_LENGTH)
        if not isinstance(max_length, int) or not 1 <= max_length <= 10000:
            problems.add(where, "'max_length' must be a whole number from 1 to 10000")
            max_length = DEFAULT_MAX_LENGTH
        return {"max_length": max_length}

    def coerce(self, question, raw):
        answer = (raw if isinstance(raw, str) else str(raw)).strip()
        if len(answer) > question.max_length:
            return None, Problem(N_("Please keep this under %(max)s characters (you wrote %(length)s)."),
                                 {"max": question.max_length, "length": len(answer)})  # fmt: skip
        return (answer or None), None

    def example_answer(self, question, pick):
        return "用友 U8 与钉钉"[: question.max_length]

    def serialize(self, question):
        return {"max_length": question.max_length}
