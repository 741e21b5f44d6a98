"""Demo data across questionnaire versions. No Flask, no database.

A questionnaire's newest version, when comparable with the one before it, was published
`NEW_VERSION_DAYS` ago: older demo submissions answered the version before it (lianghua 2025.1,
then 2025.2), so the dashboards show pooled versions as the city's would. A newer version may ask
counts behind a share the older one asked directly (lianghua 2025.2's machines): `counts` draws
counts that give the drawn share.
"""

from __future__ import annotations

import random

from assessment.core.questionnaire.model import Questionnaire
from assessment.core.questionnaire.registry import Registry

NEW_VERSION_DAYS = 150


def earlier_versions(registry: Registry) -> dict[str, Questionnaire]:
    """By questionnaire id, the version before the newest when the two pool (comparable)."""
    out = {}
    for current in registry.current():
        pool = registry.pooled(current.id, current.version)
        if len(pool) > 1:
            out[current.id] = registry.get(current.id, pool[-2])
    return out


def answered_version(questionnaire: Questionnaire, days_ago: float,
                     earlier: dict[str, Questionnaire]) -> Questionnaire:  # fmt: skip
    """The version a demo submission `days_ago` days old answered."""
    if days_ago > NEW_VERSION_DAYS and questionnaire.id in earlier:
        return earlier[questionnaire.id]
    return questionnaire


def counts(questionnaire: Questionnaire, answers: dict, maturity: float) -> dict:
    """The counts that give each drawn share computed from counts (machines: 8–240, the share of
    them), and the share as they give it. Drawn from a generator of their own, so the caller's
    draws what it drew before the counts were asked (a seed's other rows stay as they were)."""
    rng, out = random.Random(f"counts:{maturity!r}"), {}
    for q in questionnaire.questions:
        derivation = q.extra.get("derive")
        share = answers.get(q.id)
        if q.type != "number" or derivation is None or not isinstance(share, int | float):
            continue
        for qid in derivation.denominators:
            out.setdefault(qid, rng.randint(8, 240))
        whole = sum(out[qid] for qid in derivation.denominators) / len(derivation.denominators)
        out[derivation.numerator] = round(whole * share / 100)
        out[q.id] = derivation.compute(q, answers | out).value
    return out
