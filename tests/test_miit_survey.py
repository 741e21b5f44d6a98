"""The MIIT survey pages as a user meets them: figures typed, rates computed and shown, every bad
figure refused at its own field in the page's language, nothing typed lost."""

from __future__ import annotations

import html
import re

import pytest

from .helpers import lock_version, register, set_english, start


def field_error(page: str, qid: str) -> str:
    match = re.search(rf'id="q-{qid}-error"[^>]*>(.*?)</p>', page, re.S)
    return html.unescape(match.group(1)).strip() if match else ""


def typed_value(page: str, qid: str) -> str | None:
    match = re.search(rf'name="q_{qid}" value="([^"]*)"', page)
    return html.unescape(match.group(1)) if match else None


@pytest.fixture
def foundation(client):
    """A registered enterprise on the first MIIT page (数字化基础), pages in Chinese."""
    register(client)
    url = start(client, "miit")
    return client, url


def post(client, url, nav="save", **fields):
    lock = lock_version(client.get(url).text)
    data = {"nav": nav, "lock_version": lock, **{f"q_{k}": v for k, v in fields.items()}}
    return client.post(url, data=data)


def test_counts_give_the_rate_and_its_official_band_on_save(foundation):
    client, url = foundation
    post(client, url, m_equipment_total="120", m_equipment_digital_count="45",
         m_equipment_networked_count="12")  # fmt: skip
    page = client.get(url).text
    derived = re.search(r'id="q-m_equipment_digital-derived"[^>]*>(.*?)</p>', page, re.S).group(1)
    assert "45 ÷ 120 = 37.5% → (20%,40%]" in html.unescape(re.sub(r"<[^>]+>", "", derived))
    networked = re.search(r'id="q-m_equipment_networked-derived"[^>]*>(.*?)</p>', page, re.S)
    assert "12 ÷ 120 = 10% → [0-10%]" in html.unescape(re.sub(r"<[^>]+>", "", networked.group(1)))


def test_more_networked_than_total_machines_is_refused_at_that_field_and_kept(foundation):
    client, url = foundation
    response = post(client, url, m_equipment_total="120", m_equipment_digital_count="45",
                    m_equipment_networked_count="130")  # fmt: skip
    assert field_error(response.text, "m_equipment_networked_count").startswith(
        "此数多于“生产设备总数”（108.33%）"
    )
    assert typed_value(response.text, "m_equipment_networked_count") == "130"
    assert field_error(response.text, "m_equipment_total") == ""


def test_zero_machines_is_refused_with_what_to_do(foundation):
    client, url = foundation
    set_english(client)
    response = post(client, url, m_equipment_total="0", m_equipment_digital_count="0",
                    m_equipment_networked_count="0")  # fmt: skip
    message = field_error(response.text, "m_equipment_total")
    assert message.startswith("This is 0, so the share cannot be computed.")
    assert "enter 1 to rate the rest" in message


@pytest.mark.parametrize(
    ("value", "message"),
    [("-3", "请输入 0 至 1000000 之间的数值。"), ("很多", "请输入数字。"),
     ("99999999", "请输入 0 至 1000000 之间的数值。"), ("12.5", "请输入整数。")],
)  # fmt: skip
def test_bad_figures_are_refused_at_their_field_and_kept(foundation, value, message):
    client, url = foundation
    response = post(client, url, m_equipment_total=value)
    assert field_error(response.text, "m_equipment_total") == message
    assert typed_value(response.text, "m_equipment_total") == value


def test_none_combined_with_other_networks_is_refused(foundation):
    client, url = foundation
    response = post(client, url, m_network=["a", "b"])
    assert field_error(response.text, "m_network") == "“无”不能与其他选项同时选择。"


def test_an_unrated_scenario_must_be_rated_before_moving_on(foundation):
    client, url = foundation
    scenarios_page = url.replace("/page/0", "/page/1")
    response = post(client, scenarios_page, nav="next", s_product_design="2")
    assert field_error(response.text, "s_process_design") == (
        "请回答此题（如有“不适用”选项，也可选择“不适用”）。"
    )
    assert 'value="2" checked' in response.text  # the rating given is kept


def test_a_derived_choice_cannot_be_posted_by_hand(foundation):
    client, url = foundation
    post(client, url, m_equipment_total="100", m_equipment_digital_count="5",
         m_equipment_digital="e")  # fmt: skip
    page = client.get(url).text
    current = re.search(r'<li data-value="(\w)" class="current"', page)
    assert current and current.group(1) == "a"  # 5 % → [0-10%], not the posted top band
