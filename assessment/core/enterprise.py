"""Enterprise facts for Cixi: locations, industries and size classes. Pure.

The location and industry lists live in ``data/cixi.yaml``; the size rule (统计上大中小微型企业
划分办法 2017) and its sources are described in docs/domain.md. The 统一社会信用代码 rules are in
`assessment.core.uscc`.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "cixi.yaml"


class _Labelled:
    zh: str
    en: str

    def label(self, lang: str) -> str:
        """The Chinese name for any ``zh*`` locale (zh, zh_CN, zh-Hans…), else the English one."""
        return self.zh if (lang or "").lower().startswith("zh") else self.en


@dataclass(frozen=True)
class Town(_Labelled):
    code: str
    zh: str
    en: str
    kind: str  # subdistrict | town | zone
    demo_weight: float


@dataclass(frozen=True)
class Industry(_Labelled):
    code: str
    zh: str
    en: str
    demo_weight: float


@dataclass(frozen=True)
class SizeClass(_Labelled):
    code: str
    zh: str
    en: str


@cache
def _data() -> dict:
    with DATA_FILE.open(encoding="utf-8") as f:
        raw = yaml.safe_load(f)
    data = {
        "towns": tuple(Town(**row) for row in raw["towns"]),
        "industries": tuple(Industry(**row) for row in raw["industries"]),
        "size_classes": tuple(SizeClass(**row) for row in raw["size_classes"]),
    }
    # Codes are stored in the database, so a duplicate would silently merge two choices.
    for name, items in data.items():
        codes = [item.code for item in items]
        if len(codes) != len(set(codes)):
            raise ValueError(f"{DATA_FILE}: duplicate code in {name}")
    data["by_code"] = {name: {i.code: i for i in data[name]} for name in list(data)}
    return data


def towns() -> list[Town]:
    """All location choices: 6 街道, 14 镇 and 杭州湾新区, in display order."""
    return list(_data()["towns"])


def industries() -> list[Industry]:
    """All industry choices, in display order."""
    return list(_data()["industries"])


def size_classes() -> list[SizeClass]:
    """The four size classes, largest first."""
    return list(_data()["size_classes"])


def _label(kind: str, code: str, lang: str) -> str:
    # Stale codes from old data must still render, so fall back to the code itself.
    item = _data()["by_code"][kind].get(code) if isinstance(code, str) else None
    return item.label(lang) if item else code


def town_label(code: str, lang: str) -> str:
    """Name of a location in ``lang``; the code itself if unknown."""
    return _label("towns", code, lang)


def industry_label(code: str, lang: str) -> str:
    """Name of an industry in ``lang``; the code itself if unknown."""
    return _label("industries", code, lang)


def size_label(code: str, lang: str) -> str:
    """Name of a size class in ``lang``; the code itself if unknown."""
    return _label("size_classes", code, lang)


def is_town(code: str) -> bool:
    """True if ``code`` is one of the location choices."""
    return code in _data()["by_code"]["towns"]


def is_industry(code: str) -> bool:
    """True if ``code`` is one of the industry choices."""
    return code in _data()["by_code"]["industries"]


# --- Size class (统计上大中小微型企业划分办法 2017, 工业) -----------------------------------

# (class, minimum employees X, minimum revenue Y in 万元), largest first.
_SIZE_FLOORS = (("large", 1000, 40000), ("medium", 300, 2000), ("small", 20, 300))


def size_class(employees: int, revenue_wan: float) -> str:
    """Size class ``large``/``medium``/``small``/``micro`` of an industrial firm.

    大型 X ≥ 1000 and Y ≥ 40000; 中型 X ≥ 300 and Y ≥ 2000; 小型 X ≥ 20 and Y ≥ 300
    (X = 从业人员, Y = 营业收入 in 万元). 大/中/小 must meet BOTH lower bounds, otherwise the firm
    drops one class and is tested again; 微型 needs only X < 20 or Y < 300, which is exactly
    what is left. So 10 people with 50,000 万元 is micro, as is 2,000 people with 100 万元, and
    2,000 people with 3,000 万元 is medium (the upper bounds of a class are never tested).
    Raises ValueError for negative figures.
    """
    if employees < 0 or revenue_wan < 0:
        raise ValueError("employees and revenue must not be negative")
    for code, min_employees, min_revenue in _SIZE_FLOORS:
        if employees >= min_employees and revenue_wan >= min_revenue:
            return code
    return "micro"
