"""Enterprise facts for Cixi: locations, industries, size classes and the 统一社会信用代码.

Pure Python (no Flask) so it can be used by the web layer, the demo seeder and reports alike.
The location and industry lists live in ``data/cixi.yaml``; the rules (GB 32100-2015, GB 11714,
统计上大中小微型企业划分办法 2017) and their sources are described in docs/domain.md.
"""

import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from assessment.core.text import N_, Problem

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "cixi.yaml"
CIXI_REGION = "330282"


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


# --- 统一社会信用代码 (GB 32100-2015) -------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_AUTHORITIES = "159Y"  # 1 机构编制, 5 民政, 9 工商/市场监管, Y 其他
_KINDS_FOR_9 = "123"  # 1 企业, 2 个体工商户, 3 农民专业合作社


def _org_check(body: str) -> str:
    # GB 11714 values letters A=10…Z=35 (a different scale from the USCC alphabet).
    total = sum(int(c, 36) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def _uscc_check(first17: str) -> str:
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalize_uscc(raw: str) -> str:
    """Strip surrounding whitespace (including the full-width space) and upper-case.

    Inner spaces or hyphens are deliberately kept, so they are reported rather than guessed away.
    """
    return (raw or "").strip().upper()


def validate_uscc(raw: str) -> tuple[str, list[Problem]]:
    """Normalise ``raw`` and return it with the problems found (empty list = valid).

    Checks, in order: empty; length 18; alphabet. Those make positions meaningless, so any of
    them stops here. Then, each reported independently: authority (must be 9, 市场监管, for an
    enterprise), kind (1/2/3), region (6 digits). Finally the organisation-code check (pos 17)
    and the check character (pos 18). Position 18 is computed over position 17, so when
    position 17 is wrong only that is reported: naming an "expected" last character derived
    from a wrong position 17 would send the user the wrong way.

    Position 17 may legitimately be ``X`` (GB 11714 check value 10): X is in the USCC alphabet.
    """
    code = normalize_uscc(raw)
    problems: list[Problem] = []

    def add(message: str, **params) -> None:
        problems.append(Problem(message, params))

    if not code:
        add(N_("Enter the unified social credit code."))
        return code, problems
    if len(code) != 18:
        add(N_("The code must be 18 characters long; this one has %(length)d."), length=len(code))
    bad = "".join(dict.fromkeys(c for c in code if c not in _USCC_VALUE))
    if bad:
        add(
            N_(
                "The code contains characters that are not allowed: %(chars)s. It uses only "
                "digits and capital letters, never I, O, S, V or Z."
            ),
            chars=" ".join(bad),
        )
    if problems:
        return code, problems

    authority, kind, region = code[0], code[1], code[2:8]
    if authority not in _AUTHORITIES:
        add(
            N_("The first character (registering authority) must be 1, 5, 9 or Y, not %(given)s."),
            given=authority,
        )
    elif authority != "9":
        add(
            N_(
                "The first character is %(given)s, but an enterprise's code is issued by market "
                "regulation and starts with 9 (1 is for public institutions, 5 for social "
                "organisations, Y for other authorities)."
            ),
            given=authority,
        )
    # Kind codes differ per authority, and only authority 9 is accepted anyway.
    if authority == "9" and kind not in _KINDS_FOR_9:
        add(
            N_(
                "The second character must be 1 (enterprise), 2 (individual business) or "
                "3 (farmers' cooperative), not %(given)s."
            ),
            given=kind,
        )
    if not region.isdigit():
        add(N_("Characters 3 to 8 must be a 6-digit region code, not %(given)s."), given=region)

    org_expected, check_expected = _org_check(code[8:16]), _uscc_check(code[:17])
    if code[16] != org_expected:
        add(
            N_(
                "Character 17 (the organisation code's check character) should be "
                "%(expected)s, not %(given)s."
            ),
            expected=org_expected,
            given=code[16],
        )
    elif code[17] != check_expected:
        add(
            N_("The check character (the last one) should be %(expected)s, not %(given)s."),
            expected=check_expected,
            given=code[17],
        )
    return code, problems


def region_code(code: str) -> str:
    """Positions 3–8 (the region) of a code, or "" if it is too short to have one."""
    code = normalize_uscc(code)
    return code[2:8] if len(code) >= 8 else ""


def is_cixi_region(code: str) -> bool:
    """True if the code was registered in Cixi (region 330282); validity is not checked."""
    return region_code(code) == CIXI_REGION


def make_uscc(region: str, org_body: str, authority: str = "9", kind: str = "1") -> str:
    """Build a valid code from its parts, computing both check characters.

    ``org_body`` is the 8-character organisation-code body, drawn from the USCC alphabet.
    Raises ValueError for malformed parts.
    """
    org_body = org_body.upper()
    if not (len(region) == 6 and region.isdigit()):
        raise ValueError(f"region must be 6 digits: {region!r}")
    if len(org_body) != 8 or any(c not in _USCC_VALUE for c in org_body):
        raise ValueError(f"org_body must be 8 characters of {USCC_ALPHABET}: {org_body!r}")
    if authority not in _AUTHORITIES or kind not in _USCC_VALUE:
        raise ValueError(f"bad authority or kind: {authority!r}, {kind!r}")
    first17 = authority + kind + region + org_body + _org_check(org_body)
    return first17 + _uscc_check(first17)


def random_uscc(rng: random.Random, region: str = CIXI_REGION) -> str:
    """A valid enterprise code (authority 9, kind 1) for demo data; deterministic per ``rng``."""
    return make_uscc(region, "".join(rng.choice(USCC_ALPHABET) for _ in range(8)))


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
