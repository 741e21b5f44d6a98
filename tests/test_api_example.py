"""tools/api_example.py against a live server on loopback: a draft filled from a JSON file,
submitted with an Idempotency-Key, the PDF downloaded."""

from __future__ import annotations

import importlib.util
import json
import threading
from pathlib import Path

from werkzeug.serving import make_server

from tests.helpers import register, typical_answers
from tests.test_api import make_token

_SPEC = importlib.util.spec_from_file_location(
    "api_example", Path(__file__).resolve().parents[1] / "tools" / "api_example.py"
)
api_example = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(api_example)


def test_example_script_fills_submits_and_downloads(app, registry, tmp_path, capsys):
    client = app.test_client()
    register(client)
    token = make_token(client)
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(typical_answers(registry.get("lianghua"))), encoding="utf-8")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        out = tmp_path / "report.pdf"
        code = api_example.main(["--base", f"http://127.0.0.1:{server.server_port}",
                                 "--token", token, "--answers", str(answers),
                                 "--out", str(out), "--lang", "en"])  # fmt: skip
    finally:
        server.shutdown()
    assert code == 0, capsys.readouterr().err
    assert out.read_bytes().startswith(b"%PDF")
    assert "submitted" in capsys.readouterr().out
