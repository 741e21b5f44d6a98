"""Safe evaluation of `relevant` expressions (simpleeval; never Python's eval).

Expressions are checked once at load time against a whitelist of syntax, names and functions, and
parsed once; evaluation then only walks the cached tree.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from simpleeval import SimpleEval

from assessment.core.questionnaire.model import NA

_ALLOWED_NODES = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.Compare,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.In,
    ast.NotIn,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.Call,
    ast.List,
    ast.Tuple,
)


def _selected(value: Any, choice: Any) -> bool:
    return isinstance(value, list | tuple) and str(choice) in value


def _answered(value: Any) -> bool:
    return value is not None and value != NA and value != [] and value != ""


def _level(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


FUNCTIONS = {"selected": _selected, "answered": _answered, "level": _level}


def check_expression(expression: str, known_names: set[str]) -> list[str]:
    """Problems with an expression: syntax, disallowed constructs, unknown names or functions."""
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError as exc:
        return [f"syntax error in relevant expression: {exc.msg}"]
    problems = []
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            problems.append(f"relevant expression may not use {type(node).__name__}")
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                problems.append("relevant expression calls an unknown function")
            elif node.keywords:
                problems.append("relevant expression functions take no keyword arguments")
        elif isinstance(node, ast.Name) and node.id not in (
            known_names | set(FUNCTIONS) | {"True", "False", "None"}
        ):
            problems.append(f"relevant expression refers to '{node.id}', not an earlier question")
    return problems


@lru_cache(maxsize=4096)
def _parsed(expression: str) -> Any:
    return SimpleEval().parse(expression)


def evaluate(
    expression: str, answers: Mapping[str, Any], evaluator: SimpleEval | None = None
) -> bool:
    """True when the expression holds for these answers; any run-time error counts as False.

    Pass an `evaluator` from `evaluator_for` to evaluate many expressions over one answer set.
    """
    evaluator = evaluator or evaluator_for(answers)
    try:
        return bool(evaluator.eval(expression, previously_parsed=_parsed(expression)))
    except Exception:  # noqa: BLE001 - a failing condition hides the question, by definition
        return False


def evaluator_for(answers: Mapping[str, Any]) -> SimpleEval:
    """An evaluator reading these answers; later changes to a dict passed here are seen."""
    names = answers if isinstance(answers, Answers) else Answers(answers)
    return SimpleEval(functions=FUNCTIONS, names=names)


class Answers(dict):
    """Answers by question id for expressions; a question without an answer reads as None."""

    def __init__(self, answers: Mapping[str, Any] | None = None):
        super().__init__(answers or {})

    def __missing__(self, key: str) -> None:
        return None


@lru_cache(maxsize=4096)
def names_in(expression: str) -> frozenset[str]:
    """The question ids an expression reads."""
    tree = ast.parse(expression, mode="eval")
    return frozenset(
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id not in FUNCTIONS
    )
