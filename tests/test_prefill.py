"""Answer once: a new draft starts with the enterprise's latest answers to shared facts (`key`),
says where each came from, and cannot be submitted before the pages holding them were saved."""

from __future__ import annotations

import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from assessment.services import surveys
from assessment.services.models import Assessment, Enterprise, utcnow

from .conftest import app_session
from .helpers import USCC_B, register, set_english, start

ROOT = Path(__file__).resolve().parent.parent
PAGE_NOTE = re.compile(r'id="q-(\w+)-prefilled">([^<]*)<')


@pytest.fixture
def keyed_app(make_app, tmp_path):
    """The app with MIIT and a small questionnaire sharing the equipment keys with it."""
    folder = tmp_path / "questionnaires"
    folder.mkdir()
    shutil.copy(ROOT / "questionnaires" / "miit-2024.1.yaml", folder)
    shutil.copy(ROOT / "tests" / "data" / "keys-mini.yaml", folder)
    return make_app(QUESTIONNAIRE_DIR=str(folder))


def draft_of(app, email_enterprise_uscc=None, questionnaire="miit") -> Assessment:
    with app_session(app) as s:
        return s.scalars(select(Assessment).where(Assessment.questionnaire_id == questionnaire,
                                                  Assessment.status == "draft")
                         .order_by(Assessment.id.desc())).first()  # fmt: skip


def fill_keys_mini(client, total=120, digital=45):
    url = start(client, "keys_mini")
    page = client.get(url).text
    lock = re.search(r'name="lock_version"[^>]*value="(\d+)"', page).group(1)
    response = client.post(url, data={"nav": "save", "lock_version": lock,
                                      "q_k_total": str(total), "q_k_digital": str(digital)})  # fmt: skip
    assert response.status_code == 302


def test_profile_figures_prefill_staff_and_revenue(app, client):
    register(client)  # 120 employees, 8600 万元 (tests/helpers.registration)
    start(client, "miit")
    draft = draft_of(app)
    assert draft.answers["m_staff_last"] == 120 and draft.answers["m_revenue_last"] == 8600
    assert draft.prefilled["m_staff_last"]["status"] == "profile"


def test_another_questionnaires_answer_with_the_same_key_prefills_and_is_marked(keyed_app):
    client = keyed_app.test_client()
    register(client)
    fill_keys_mini(client, total=120, digital=45)
    url = start(client, "miit")
    draft = draft_of(keyed_app)
    assert draft.answers["m_equipment_total"] == 120
    assert draft.answers["m_equipment_digital_count"] == 45
    assert "m_equipment_networked_count" not in draft.answers  # no answer with that key yet
    assert "m_equipment_digital" not in draft.answers  # a computed choice is never pre-filled
    notes = dict(PAGE_NOTE.findall(client.get(url).text))
    assert (
        "已根据您" in notes["m_equipment_total"]
        and "《设备小调查》草稿预填" in notes["m_equipment_total"]
    )
    set_english(client)
    notes = dict(PAGE_NOTE.findall(client.get(url).text))
    assert "Pre-filled from your Equipment survey draft saved in" in notes["m_equipment_total"]


def test_only_the_enterprises_own_answers_are_used(keyed_app):
    other = keyed_app.test_client()
    register(other, uscc=USCC_B, email="b@example.com", name="慈溪市另一家电器有限公司")
    fill_keys_mini(other, total=999, digital=9)
    client = keyed_app.test_client()
    register(client)
    start(client, "miit")
    assert "m_equipment_total" not in draft_of(keyed_app).answers


def test_answers_older_than_twelve_months_are_not_offered(keyed_app):
    client = keyed_app.test_client()
    register(client)
    fill_keys_mini(client)
    with app_session(keyed_app) as s:
        s.execute(update(Assessment).values(updated_at=utcnow() - timedelta(days=400)))
        s.commit()
    start(client, "miit")
    assert "m_equipment_total" not in draft_of(keyed_app).answers


def test_a_prefilled_answer_is_never_submitted_before_its_page_was_saved(keyed_app):
    client = keyed_app.test_client()
    register(client)
    fill_keys_mini(client)
    start(client, "miit")
    with app_session(keyed_app) as s:
        draft = s.get(Assessment, draft_of(keyed_app).id)
        questionnaire = keyed_app.extensions["questionnaires"].get("miit")
        answers = dict(draft.answers)
        for q in questionnaire.questions:  # every other answer given, as if typed and saved
            if q.id not in answers and (q.scored or q.kind.rated or q.type == "figure"):
                answers[q.id] = q.kind.example_answer(q, "middle")
        draft.answers = answers
        s.commit()
        with pytest.raises(surveys.IncompleteError) as refused:
            surveys.submit(s, draft, questionnaire)
        assert "m_equipment_total" in refused.value.unconfirmed
        assert refused.value.missing == []
    review = client.get(f"/a/{draft.public_id}/review").text
    assert 'id="unconfirmed"' in review
    # Saving the foundation page confirms what it shows.
    url = f"/a/{draft.public_id}/page/0"
    lock = re.search(r'name="lock_version"[^>]*value="(\d+)"', client.get(url).text).group(1)
    data = {"nav": "save", "lock_version": lock, "q_m_equipment_total": "120",
            "q_m_equipment_digital_count": "45", "q_m_equipment_networked_count": "30"}  # fmt: skip
    response = client.post(url, data=data)
    assert response.status_code == 302, response.text[:3000]
    with app_session(keyed_app) as s:
        pending = s.get(Assessment, draft.id).prefilled or {}
        assert not {"m_equipment_total", "m_equipment_digital_count"} & set(pending)
        assert "m_staff_last" in pending  # on the outcomes page, not saved yet


def test_the_profile_is_read_from_the_enterprise_itself(app, client):
    register(client)
    with app_session(app) as s:
        s.execute(update(Enterprise).values(employees=75))
        s.commit()
    start(client, "miit")
    assert draft_of(app).answers["m_staff_last"] == 75


# --- MIIT and lianghua 2025.2 share the machine counts (keys equipment_*) -----------------------


def save_counts(client, questionnaire_id: str, prefix: str, counts: tuple[int, int, int]) -> str:
    """Start a questionnaire and save its first page with the three machine counts only."""
    url = start(client, questionnaire_id)
    lock = re.search(r'name="lock_version"[^>]*value="(\d+)"', client.get(url).text).group(1)
    names = ("equipment_total", "equipment_digital_count", "equipment_networked_count")
    data = {"nav": "save", "lock_version": lock}
    data |= {f"q_{prefix}_{name}": str(n) for name, n in zip(names, counts, strict=True)}
    assert client.post(url, data=data).status_code == 302
    return url


def test_lianghua_counts_prefill_miit(app, client):
    register(client)
    save_counts(client, "lianghua", "f", (80, 30, 20))
    assert draft_of(app, questionnaire="lianghua").answers["f_equipment_digital_rate"] == 37.5
    url = start(client, "miit")
    draft = draft_of(app)
    assert (draft.answers["m_equipment_total"], draft.answers["m_equipment_digital_count"],
            draft.answers["m_equipment_networked_count"]) == (80, 30, 20)  # fmt: skip
    assert draft.prefilled["m_equipment_total"]["questionnaire"] == "lianghua"
    assert "m_equipment_digital" not in draft.answers  # computed on save, never copied
    notes = dict(PAGE_NOTE.findall(client.get(url).text))
    assert "《两化融合评估》草稿预填" in notes["m_equipment_networked_count"]


def test_miit_counts_prefill_lianghua_whose_rates_follow_on_save(app, client):
    register(client)
    save_counts(client, "miit", "m", (120, 45, 30))
    url = start(client, "lianghua")
    draft = draft_of(app, questionnaire="lianghua")
    assert draft.questionnaire_version == "2025.2"
    assert {k: draft.answers.get(k) for k in ("f_equipment_total", "f_equipment_digital_count",
            "f_equipment_networked_count")} == {"f_equipment_total": 120,
            "f_equipment_digital_count": 45, "f_equipment_networked_count": 30}  # fmt: skip
    assert "f_equipment_digital_rate" not in draft.answers
    page = client.get(url).text
    notes = dict(PAGE_NOTE.findall(page))
    assert "《中小企业数字化水平评测（2024年版）》草稿预填" in notes["f_equipment_total"]
    assert 'value="120"' in page  # the form shows the pre-filled count
    # Saving the page as shown confirms the counts and computes both rates from them.
    lock = re.search(r'name="lock_version"[^>]*value="(\d+)"', page).group(1)
    data = {"nav": "save", "lock_version": lock, "q_f_equipment_total": "120",
            "q_f_equipment_digital_count": "45", "q_f_equipment_networked_count": "30"}  # fmt: skip
    assert client.post(url, data=data).status_code == 302
    saved = draft_of(app, questionnaire="lianghua")
    assert (saved.answers["f_equipment_digital_rate"], saved.answers["f_equipment_networked_rate"]) \
        == (37.5, 25)  # fmt: skip
    assert not {"f_equipment_total", "f_equipment_digital_count"} & set(saved.prefilled or {})


def test_a_typed_rate_of_lianghua_2025_1_is_no_count_and_prefills_nothing(app, client, registry):
    old = registry.get("lianghua", "2025.1")
    register(client)
    with app_session(app) as s:
        draft = surveys.start(s, s.scalar(select(Enterprise)), old)
        draft.answers = {"f_equipment_digital_rate": 40, "f_equipment_networked_rate": 30}
        s.commit()
    start(client, "miit")
    assert not {k for k in draft_of(app).answers if k.startswith("m_equipment")}
