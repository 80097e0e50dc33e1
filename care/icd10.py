"""ICD-10-CM code syntax: a malformed diagnosis is bad input, never "no condition"."""

from __future__ import annotations

import re

# A letter (U is reserved by WHO and unused in ICD-10-CM), a digit, an alphanumeric, then an
# optional dot and up to four more characters (ICD-10-CM Official Guidelines, Section I.A).
_DOTTED = re.compile(r"^[A-TV-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")
_DOTLESS = re.compile(r"^[A-TV-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$")


class InvalidDiagnosisCode(ValueError):
    """A diagnosis that is not ICD-10-CM syntax; ``code`` is the offending value."""

    def __init__(self, code: str) -> None:
        super().__init__(f"diagnosis code {code!r} is not valid ICD-10-CM syntax")
        self.code = code


def normalize_icd10(code: str) -> str:
    """Returns the code upper-cased in dotted form (``e119`` -> ``E11.9``).

    Raises ``InvalidDiagnosisCode`` for anything else; surrounding whitespace is forgiven.
    """
    cleaned = code.strip().upper()
    if _DOTTED.match(cleaned):
        return cleaned
    if _DOTLESS.match(cleaned):
        return cleaned if len(cleaned) == 3 else f"{cleaned[:3]}.{cleaned[3:]}"
    raise InvalidDiagnosisCode(code)


def dotless(code: str) -> str:
    """The normalized code without its dot, for prefix matching (``E11.65`` -> ``E1165``)."""
    return normalize_icd10(code).replace(".", "")
