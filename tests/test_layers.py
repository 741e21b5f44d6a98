"""The layers stay layers: imports point one way, and the pure parts load no web or database code.

core ← services ← web, cli; core ← reports ← web, cli; `assessment.web.app` is the composition
root that wires everything (it may import any layer). See docs/architecture.md.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("assessment", "reports")
# What each layer may import from the project (besides itself).
ALLOWED = {
    "core": set(),
    "reports": {"core"},
    "services": {"core"},
    "web": {"core", "services", "reports"},
    "cli": {"core", "services", "reports", "web"},
    "root": {"core", "services", "reports", "web", "cli"},
}
# Web libraries: no layer below the web may import them (werkzeug's password hashing aside).
WEB = ("flask", "flask_babel", "flask_login", "flask_wtf", "flask_limiter", "wtforms", "jinja2",
       "werkzeug")  # fmt: skip
DATABASE = ("sqlalchemy", "alembic", "psycopg")


def layer_of(module: str) -> str | None:
    """The layer of a project module, or None for anything outside the project."""
    parts = module.split(".")
    if parts[0] == "reports":
        return "reports"
    if parts[0] != "assessment":
        return None
    if module == "assessment.web.app":
        return "root"
    return parts[1] if len(parts) > 1 and parts[1] in ALLOWED else "root"


def project_modules() -> dict[str, Path]:
    """Every module of the two packages by dotted name."""
    out = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def imports_of(path: Path) -> list[tuple[int, str, bool]]:
    """(line, imported module, at module level) for every import in a file; imports under
    `if TYPE_CHECKING:` are left out (they never run)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = {
        id(node)
        for stmt in tree.body
        if isinstance(stmt, ast.If) and "TYPE_CHECKING" in ast.unparse(stmt.test)
        for node in ast.walk(stmt)
    }
    top_level = {id(stmt) for stmt in tree.body}
    found = []
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, id(node) in top_level) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}:{node.lineno}: use an absolute import"
            found.append((node.lineno, node.module or "", id(node) in top_level))
    return found


MODULES = project_modules()


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_one_way(module):
    here = layer_of(module)
    for line, target, _top in imports_of(MODULES[module]):
        there = layer_of(target)
        if there is not None and there != here:
            assert there in ALLOWED[here], f"{module}:{line} ({here}) imports {target} ({there})"
        first = target.split(".")[0]
        if here in ("core", "reports", "services") and target != "werkzeug.security":
            assert first not in WEB, f"{module}:{line} ({here}) imports {target}"
        if here in ("core", "reports"):
            assert first not in DATABASE, f"{module}:{line} ({here}) imports {target}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_imports_inside_functions(module):
    """Imports sit at the top of the module; the only exception must say why, on its line."""
    source = MODULES[module].read_text(encoding="utf-8").splitlines()
    for line, target, top in imports_of(MODULES[module]):
        if not top:
            assert "optional dependency" in source[line - 1], (
                f"{module}:{line} imports {target} inside a function"
            )


def test_the_checker_sees_an_upward_import(tmp_path):
    """The walk above must catch what it names (a core module importing the web layer)."""
    bad = tmp_path / "bad.py"
    bad.write_text("from assessment.web.extensions import db\n\ndef f():\n    import flask\n")
    found = imports_of(bad)
    assert [(target, top) for _line, target, top in found] == [
        ("assessment.web.extensions", True),
        ("flask", False),
    ]
    assert "web" not in ALLOWED["core"]


def test_pure_layers_load_neither_flask_nor_a_database_session():
    core = sorted(m for m in MODULES if layer_of(m) in ("core", "reports"))
    script = (
        "import importlib, sys\n"
        f"for name in {core!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('flask', 'werkzeug', 'wtforms')\n"
        "          or m.startswith('sqlalchemy.orm')]\n"
        "print(','.join(sorted(loaded)))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True, check=True)  # fmt: skip
    assert result.stdout.strip() == ""


def test_every_pure_module_imports_on_its_own():
    """Importing everything at once can hide a cycle that breaks a module imported first."""
    core = sorted(m for m in MODULES if layer_of(m) in ("core", "reports"))
    script = (
        "import subprocess, sys\n"
        f"for name in {core!r}:\n"
        "    done = subprocess.run([sys.executable, '-c', 'import ' + name], capture_output=True)\n"
        "    if done.returncode:\n"
        "        print(name, done.stderr.decode().strip().splitlines()[-1])\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True, check=True)  # fmt: skip
    assert result.stdout.strip() == ""
