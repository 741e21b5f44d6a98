"""A server process killed in the middle of a submit leaves the intact draft, never half of it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from sqlalchemy import func, select

from assessment.services.models import Assessment, DimensionScore, QuestionScore

from .conftest import app_session
from .helpers import register, save_page, start, typical_answers

CHILD = textwrap.dedent(
    """
    import sys, time
    from assessment.web.app import create_app
    from assessment.web.extensions import db
    from assessment.services.models import Assessment
    from assessment.services import surveys

    app = create_app({"DATABASE_URL": sys.argv[1], "SECRET_KEY": "x"})
    real_bump = surveys.bump_generation

    def bump_then_stall(session):
        real_bump(session)
        # Everything of the submit is written but not committed: now the process dies.
        print("inside-transaction", flush=True)
        time.sleep(60)

    surveys.bump_generation = bump_then_stall
    with app.app_context():
        draft = db.session.get(Assessment, int(sys.argv[2]))
        q = app.extensions["questionnaires"].get(draft.questionnaire_id, draft.questionnaire_version)
        surveys.submit(db.session, draft, q)
    """
)


def test_a_submit_killed_midway_leaves_the_draft_intact_and_submittable(app, registry, tmp_path):
    questionnaire = registry.get("cloud")
    client = app.test_client()
    register(client)
    url = start(client, "cloud")
    base = url.rsplit("/", 1)[0]
    answers = typical_answers(questionnaire)
    for index in range(len(questionnaire.pages)):
        save_page(client, f"{base}/{index}", questionnaire, index, answers)
    with app_session(app) as s:
        draft = s.scalar(select(Assessment))
        draft_id, saved_answers, lock = draft.id, dict(draft.answers), draft.lock_version
    env = {**os.environ, "INSTANCE_PATH": str(tmp_path / "child-instance")}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, app.config["DATABASE_URL"], str(draft_id)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip
    try:
        line = child.stdout.readline()
        assert line.strip() == "inside-transaction", child.stderr.read()
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    with app_session(app) as s:
        s.expire_all()
        after = s.get(Assessment, draft_id)
        assert after.status == "draft" and after.answers == saved_answers
        assert after.lock_version == lock and after.total is None and not after.is_latest
        assert s.scalar(select(func.count()).select_from(DimensionScore)) == 0
        assert s.scalar(select(func.count()).select_from(QuestionScore)) == 0
    # The user simply submits again and gets the full result.
    response = client.post(f"{base.rsplit('/page', 1)[0]}/review")
    assert response.status_code == 302 and response.headers["Location"].endswith("/result")
    with app_session(app) as s:
        assert s.scalar(select(func.count()).select_from(DimensionScore)) == 5
