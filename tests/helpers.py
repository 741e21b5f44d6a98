"""Helpers that drive the app through its test client the way a browser would."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, update

from assessment.core.questionnaire.answers import clean
from assessment.core.questionnaire.model import NA, Questionnaire
from assessment.core.uscc import make_uscc
from assessment.services.models import User, utcnow
from assessment.web.extensions import db

LOCK_RE = re.compile(r'name="lock_version"[^>]*value="(\d*)"|value="(\d*)"[^>]*name="lock_version"')
USCC_A = make_uscc("330282", "MA2AB001")
USCC_B = make_uscc("330282", "MA2AB002")
PASSWORD = "Cixi-Factory-2025"


def registration(**overrides) -> dict[str, Any]:
    data = {
        "uscc": USCC_A,
        "name": "慈溪市示例电器有限公司",
        "town": "zhouxiang",
        "industry": "appliances",
        "employees": "120",
        "revenue_wan": "8600",
        "contact_name": "王经理",
        "contact_phone": "0574-63001234",
        "email": "a@example.com",
        "password": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return data


def register(client, verified: bool = True, **overrides):
    """Register through the page. The address then counts as confirmed, as if the mailed link had
    been followed, unless `verified=False` (the link itself: tests/test_email_verification.py)."""
    data = registration(**overrides)
    response = client.post("/auth/register", data=data)
    if verified and response.status_code == 302:
        confirm_address(client.application, data["email"])
    return response


def confirm_address(app, email: str) -> None:
    """Mark an address confirmed in the app's database (a shortcut past the mailed link)."""
    with app.app_context():
        db.session.execute(
            update(User)
            .where(func.lower(User.email) == email.strip().lower())
            .where(User.email_verified_at.is_(None))
            .values(email_verified_at=utcnow())
        )
        db.session.commit()


def login(client, email="a@example.com", password=PASSWORD):
    return client.post("/auth/login", data={"email": email, "password": password})


def logout(client):
    return client.post("/auth/logout")


def set_english(client) -> None:
    """Switch the client's pages to English (Simplified Chinese is the default)."""
    assert client.post("/language", data={"lang": "en", "next": "/"}).status_code == 302


def lock_version(html: str) -> str:
    match = LOCK_RE.search(html)
    assert match, "the page has no lock_version field"
    return match.group(1) or match.group(2)


def page_form(
    questionnaire: Questionnaire, index: int, answers: dict, nav="next", lock="0"
) -> dict:
    """Form data a browser would post for one page."""
    data: dict[str, Any] = {"nav": nav, "lock_version": lock}
    for q in questionnaire.pages[index].questions:
        if q.id not in answers:
            continue
        value = answers[q.id]
        if q.type == "number" and value == NA:
            data[f"na_{q.id}"] = "y"
        elif q.type == "multi":
            data[f"q_{q.id}"] = [NA] if value == NA else list(value)
        else:
            data[f"q_{q.id}"] = str(value)
    return data


def start(client, questionnaire_id: str) -> str:
    """Start (or resume) a questionnaire; returns the page URL redirected to."""
    response = client.post(f"/my/start/{questionnaire_id}")
    assert response.status_code == 302, response.status_code
    return response.headers["Location"]


def save_page(client, url: str, questionnaire, index: int, answers: dict, nav="next"):
    page = client.get(url)
    assert page.status_code == 200
    return client.post(
        url, data=page_form(questionnaire, index, answers, nav, lock_version(page.text))
    )


def typical_answers(questionnaire: Questionnaire, pick: str = "middle") -> dict:
    """A full, valid set of answers: the middle choice of each question (or best / worst)."""
    answers: dict[str, Any] = {}
    for q in questionnaire.questions:
        if q.type in ("single", "ladder"):
            ranked = sorted(q.choices, key=lambda c: c.points)
            choice = {"best": ranked[-1], "worst": ranked[0]}.get(pick, ranked[len(ranked) // 2])
            answers[q.id] = int(choice.value) if q.type == "ladder" else choice.value
        elif q.type == "multi":
            plain = [c.value for c in q.choices if not c.exclusive]
            answers[q.id] = plain if pick == "best" else plain[: max(1, len(plain) // 2)]
        elif q.type == "number":
            value = {"best": q.max, "worst": q.min}.get(pick, (q.min + q.max) / 2)
            answers[q.id] = int(value) if q.integer or value == int(value) else value
        elif q.type == "text":
            answers[q.id] = "用友 U8 与钉钉"
    for q in questionnaire.questions:  # a share computed from counts (lianghua 2025.2): the counts
        derivation = q.extra.get("derive")
        if q.type == "number" and derivation is not None:
            answers |= {qid: 100 for qid in derivation.denominators}
            answers[derivation.numerator] = round(answers[q.id])  # of 100 machines: the share
            answers[q.id] = derivation.compute(q, answers).value
    return clean(questionnaire, answers)
