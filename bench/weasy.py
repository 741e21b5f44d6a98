"""The alternative users would pick: WeasyPrint rendering the result page's HTML to PDF.

Benchmark-only: WeasyPrint is pip-installed into the venv at bench time when missing and is never a
dependency of the product. Compared with our reportlab build of the same assessment.
"""

from __future__ import annotations

import importlib
import re
import subprocess
import sys

from assessment.services.demo import DEMO_ENTERPRISE_EMAIL

from .common import ROOT, Timing, timed
from .server import demo_paths, logged_in

INSTALL_TIMEOUT = 240


def ensure_weasyprint() -> str | None:
    """None when WeasyPrint imports (installing it into the venv if needed), else why not."""
    try:
        importlib.import_module("weasyprint")
        return None
    except ImportError:
        pass
    except OSError as exc:  # installed, but a system library (Pango) is missing
        return f"weasyprint is installed but cannot load: {exc}".splitlines()[0]
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "weasyprint"],
            capture_output=True, text=True, timeout=INSTALL_TIMEOUT,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return f"pip install weasyprint took over {INSTALL_TIMEOUT} s"
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines() or ["no output"]
        return f"pip install weasyprint failed: {lines[-1]}"
    importlib.invalidate_caches()
    try:
        importlib.import_module("weasyprint")
    except (ImportError, OSError) as exc:
        return f"weasyprint cannot load after install: {exc}".splitlines()[0]
    return None


STYLESHEET = re.compile(r'<link rel="stylesheet" href="[^"]*/static/([^"?]+)[^"]*">')
SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


def printable(html: str) -> str:
    """The page with its stylesheet inlined and scripts dropped: nothing to fetch, no network."""

    def inline(match: re.Match) -> str:
        css = (ROOT / "static" / match.group(1)).read_text(encoding="utf-8")
        return f"<style>{css}</style>"

    return SCRIPT.sub("", STYLESHEET.sub(inline, html))


def result_html(app) -> str:
    """The demo enterprise's result page as the browser gets it."""
    paths = demo_paths(app)
    client = logged_in(app, DEMO_ENTERPRISE_EMAIL)
    response = client.get(paths.result_page)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def measure(app, runs: int = 6, max_seconds: float = 30.0) -> tuple[Timing, int]:
    """WeasyPrint HTML → PDF of the result page (warm): its Timing and the PDF's size."""
    from weasyprint import HTML

    html = printable(result_html(app))

    def render() -> bytes:
        return HTML(string=html).write_pdf()

    pdf = render()
    timing = timed("weasyprint", render, runs, 1, max_seconds=max_seconds)
    return timing, len(pdf)
