"""The 统一社会信用代码 (unified social credit code, GB 32100-2015): validation with a reason per
problem, region, and building valid codes for demo data. Pure; see docs/domain.md for the rules.
"""

from __future__ import annotations

import random

from assessment.core.text import N_, Problem

CIXI_REGION = "330282"
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
    if not code:
        return code, [Problem(N_("Enter the unified social credit code."))]
    problems = _format_problems(code)
    if problems:
        return code, problems
    return code, _position_problems(code) + _check_problems(code)


def _format_problems(code: str) -> list[Problem]:
    problems = []
    if len(code) != 18:
        problems.append(Problem(N_("The code must be 18 characters long; this one has %(length)d."),
                                {"length": len(code)}))  # fmt: skip
    bad = "".join(dict.fromkeys(c for c in code if c not in _USCC_VALUE))
    if bad:
        problems.append(Problem(N_(
            "The code contains characters that are not allowed: %(chars)s. It uses only "
            "digits and capital letters, never I, O, S, V or Z."
        ), {"chars": " ".join(bad)}))  # fmt: skip
    return problems


def _position_problems(code: str) -> list[Problem]:
    authority, kind, region = code[0], code[1], code[2:8]
    problems = []
    if authority not in _AUTHORITIES:
        problems.append(Problem(N_(
            "The first character (registering authority) must be 1, 5, 9 or Y, not %(given)s."
        ), {"given": authority}))  # fmt: skip
    elif authority != "9":
        problems.append(Problem(N_(
            "The first character is %(given)s, but an enterprise's code is issued by market "
            "regulation and starts with 9 (1 is for public institutions, 5 for social "
            "organisations, Y for other authorities)."
        ), {"given": authority}))  # fmt: skip
    # Kind codes differ per authority, and only authority 9 is accepted anyway.
    if authority == "9" and kind not in _KINDS_FOR_9:
        problems.append(Problem(N_(
            "The second character must be 1 (enterprise), 2 (individual business) or "
            "3 (farmers' cooperative), not %(given)s."
        ), {"given": kind}))  # fmt: skip
    if not region.isdigit():
        problems.append(Problem(N_("Characters 3 to 8 must be a 6-digit region code, not %(given)s."),
                                {"given": region}))  # fmt: skip
    return problems


def _check_problems(code: str) -> list[Problem]:
    org_expected, check_expected = _org_check(code[8:16]), _uscc_check(code[:17])
    if code[16] != org_expected:
        return [Problem(N_(
            "Character 17 (the organisation code's check character) should be "
            "%(expected)s, not %(given)s."
        ), {"expected": org_expected, "given": code[16]})]  # fmt: skip
    if code[17] != check_expected:
        return [Problem(N_("The check character (the last one) should be %(expected)s, not %(given)s."),
                        {"expected": check_expected, "given": code[17]})]  # fmt: skip
    return []


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
