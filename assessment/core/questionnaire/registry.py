"""All questionnaire versions found in a folder, loaded once at start-up."""

from __future__ import annotations

from pathlib import Path

from assessment.core.questionnaire.comparable import differences
from assessment.core.questionnaire.loader import load_file
from assessment.core.questionnaire.model import Questionnaire


class InvalidQuestionnaireError(RuntimeError):
    """Raised at start-up when a questionnaire file has problems; lists them all."""

    def __init__(self, problems: list[str]):
        super().__init__("invalid questionnaire files:\n  " + "\n  ".join(problems))
        self.problems = problems


class Registry:
    """Questionnaires by (id, version); the newest version of an id is its current one. Versions
    declared comparable (`comparable_with`) form pools whose scores are counted together."""

    def __init__(self, questionnaires: list[Questionnaire]):
        self._by_key = {q.key: q for q in questionnaires}
        self._pools = pools(questionnaires)
        for questionnaire in questionnaires:  # build per-language texts now, not on a request
            questionnaire.texts("zh")

    @classmethod
    def from_directory(cls, directory: str | Path) -> Registry:
        """Load every `*.yaml` in `directory`; raise listing every problem if any file is invalid."""
        loaded, problems = [], []
        for path in sorted(Path(directory).glob("*.yaml")):
            questionnaire, found = load_file(path)
            problems.extend(found)
            if questionnaire is not None:
                loaded.append(questionnaire)
        keys = [q.key for q in loaded]
        for key in {k for k in keys if keys.count(k) > 1}:
            problems.append(f"{directory}: {key[0]} version {key[1]} is defined twice")
        problems += comparability_problems(loaded)
        if problems:
            raise InvalidQuestionnaireError(problems)
        return cls(loaded)

    def get(self, qid: str, version: str | None = None) -> Questionnaire | None:
        """A given version, or the current (newest) one when version is None."""
        if version is not None:
            return self._by_key.get((qid, version))
        versions = [q for (i, _v), q in self._by_key.items() if i == qid]
        return max(versions, key=lambda q: _version_key(q.version), default=None)

    def current(self) -> list[Questionnaire]:
        """The newest version of each questionnaire, ordered by id (lianghua before cloud by design)."""
        ids = sorted({i for i, _ in self._by_key}, key=lambda i: (i != "lianghua", i))
        return [self.get(i) for i in ids]

    def all(self) -> list[Questionnaire]:
        """Every loaded version."""
        return sorted(self._by_key.values(), key=lambda q: (q.id, _version_key(q.version)))

    def pooled(self, qid: str, version: str) -> tuple[str, ...]:
        """The versions whose scores pool with this one, itself included, oldest first (just
        the version itself when it declares and is declared comparable with none)."""
        return self._pools.get((qid, version), (version,))

    def pools(self, qid: str) -> list[tuple[str, ...]]:
        """The pools of a questionnaire, the one holding its newest version first."""
        found = {self.pooled(qid, q.version) for q in self.all() if q.id == qid}
        return sorted(found, key=lambda pool: _version_key(pool[-1]), reverse=True)


def pools(questionnaires: list[Questionnaire]) -> dict[tuple[str, str], tuple[str, ...]]:
    """(id, version) → its pool: the versions joined by `comparable_with` declarations, in either
    direction and transitively (2025.3 comparable with 2025.2, itself comparable with 2025.1, pools
    all three), each pool oldest first. Declarations naming a version not loaded are ignored here
    (`comparability_problems` reports them)."""
    group = {q.key: {q.version} for q in questionnaires}
    for q in questionnaires:
        for older in q.comparable_with:
            if (q.id, older) not in group:
                continue
            joined = group[q.key] | group[(q.id, older)]
            for version in joined:
                group[(q.id, version)] = joined
    return {key: tuple(sorted(versions, key=_version_key)) for key, versions in group.items()}


def comparability_problems(questionnaires: list[Questionnaire],
                           concerning: set[tuple[str, str]] | None = None) -> list[str]:  # fmt: skip
    """Why a `comparable_with` declaration cannot hold: it names a version that is not loaded or
    not earlier, or two versions of one pool would score the same answers differently (every
    pair of a pool is checked, so pooling by transitivity is checked too). `concerning`: only the
    problems of these (id, version) keys (a file being validated among the loaded ones)."""
    by_key = {q.key: q for q in questionnaires}
    problems = []
    for q in questionnaires:
        for older in q.comparable_with if concerning is None or q.key in concerning else ():
            if (q.id, older) not in by_key:
                problems.append(f"{q.source}: comparable_with: version {older!r} of {q.id} does "
                                f"not exist (no {q.id}-{older}.yaml among the questionnaires)")  # fmt: skip
            elif _version_key(older) >= _version_key(q.version):
                problems.append(f"{q.source}: comparable_with: {older!r} is not earlier than "
                                f"{q.version!r} (name earlier versions only)")  # fmt: skip
    for (qid, version), pool in sorted(pools(questionnaires).items()):
        newer = by_key[(qid, version)]
        for older in pool[: pool.index(version)]:
            if concerning is not None and not {newer.key, (qid, older)} & concerning:
                continue
            problems += [f"{newer.source}: comparable_with: not comparable with {qid} {older}: "
                         f"{reason}" for reason in differences(newer, by_key[(qid, older)])]  # fmt: skip
    return problems


def _version_key(version: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in version.replace("-", ".").split("."))
