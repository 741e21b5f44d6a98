"""All questionnaire versions found in a folder, loaded once at start-up."""

from __future__ import annotations

from pathlib import Path

from assessment.core.questionnaire.loader import load_file
from assessment.core.questionnaire.model import Questionnaire


class InvalidQuestionnaireError(RuntimeError):
    """Raised at start-up when a questionnaire file has problems; lists them all."""

    def __init__(self, problems: list[str]):
        super().__init__("invalid questionnaire files:\n  " + "\n  ".join(problems))
        self.problems = problems


class Registry:
    """Questionnaires by (id, version); the newest version of an id is its current one."""

    def __init__(self, questionnaires: list[Questionnaire]):
        self._by_key = {q.key: q for q in questionnaires}
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


def _version_key(version: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in version.replace("-", ".").split("."))
