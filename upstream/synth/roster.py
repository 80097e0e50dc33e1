"""Who is in the synthetic practice: practitioners, staff, and patients with their diagnoses.

Everything here is fake on purpose. Names are drawn from a small list and always carry the
"Synth-" surname marker. MBIs follow the pattern ``0SYNTH`` + 5 digits: a real MBI starts with a
digit 1-9 and never uses the letters S, L, O, I, B or Z, so these can never collide with a real
beneficiary. Patient ids (``p-0001``) are positional, never derived from a name or an MBI.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from events.upstream import Demographics

Program = Literal["ccm", "pcm", "ineligible"]

FAKE_MBI_PREFIX = "0SYNTH"
FAKE_NAME_MARKER = "Synth-"

# (id, credential): the billing practitioners; their personal time is logged under their own id.
PRACTITIONERS: tuple[tuple[str, str], ...] = (("prac-1", "MD"), ("prac-2", "NP"), ("prac-3", "MD"))
CLINICAL_STAFF: tuple[tuple[str, str], ...] = (
    ("staff-rn-1", "RN"),
    ("staff-rn-2", "RN"),
    ("staff-lpn-1", "LPN"),
    ("staff-ma-1", "MA"),
    ("staff-ma-2", "MA"),
)
NON_CLINICAL_STAFF = "staff-front-1"
OUTREACH_STAFF: tuple[str, ...] = ("staff-ma-1", "staff-ma-2", "staff-front-1")

# (ICD-10-CM code, problem-list wording), one entry per condition category of the domain table.
CHRONIC: tuple[tuple[str, str], ...] = (
    ("E11.9", "Type 2 diabetes mellitus"),
    ("I10", "Essential hypertension"),
    ("I25.10", "Coronary artery disease"),
    ("I48.91", "Atrial fibrillation"),
    ("J44.9", "COPD"),
    ("J45.40", "Moderate persistent asthma"),
    ("N18.30", "Chronic kidney disease, stage 3"),
    ("E78.5", "Hyperlipidemia"),
    ("E03.9", "Hypothyroidism"),
    ("F03.90", "Dementia"),
    ("F33.1", "Major depressive disorder, recurrent"),
    ("M17.11", "Osteoarthritis of the right knee"),
    ("M81.0", "Osteoporosis"),
    ("N40.0", "Benign prostatic hyperplasia"),
    ("H40.11", "Open-angle glaucoma"),
    ("E66.9", "Obesity"),
)
# Single conditions complex enough for PCM; a second code of the same category is still one
# condition (E11.65 with E11.9 is diabetes once).
COMPLEX_SINGLE: tuple[tuple[tuple[str, ...], str], ...] = (
    (("I50.22",), "Chronic systolic heart failure"),
    (("C50.911",), "Breast cancer under active treatment"),
    (("N18.4",), "Chronic kidney disease, stage 4"),
    (("E11.65", "E11.9"), "Type 2 diabetes with hyperglycemia"),
)
ACUTE: tuple[str, ...] = ("I21.4", "J06.9", "S52.5", "I16.0", "N39.0")

_FIRST = ("Avery", "Blake", "Casey", "Dana", "Ellis", "Finley", "Gray", "Harper", "Indy", "Jules")
_LAST = ("Ashby", "Birch", "Coral", "Dune", "Ember", "Fable", "Glade", "Heron", "Iris", "Juniper")


@dataclass(frozen=True)
class Profile:
    """One patient as the EHR knows them, and the program the screening should pick."""

    patient_id: str
    program: Program
    diagnoses: tuple[str, ...]
    problems: tuple[str, ...]
    practitioner_id: str
    practitioner_credential: str
    last_visit_on: date | None
    demographics: Demographics


def patient_id(index: int) -> str:
    """``p-0001`` for index 0: opaque and positional."""
    return f"p-{index + 1:04d}"


def fake_mbi(seed: int, index: int) -> str:
    """Patient ``index``'s fake MBI (see the module docstring for why it cannot be real).

    Multiplying by 7919, which is coprime to 100000, permutes the five-digit numbers: MBIs are
    distinct for up to 100000 patients and do not depend on how many patients the feed has.
    """
    return f"{FAKE_MBI_PREFIX}{(index * 7919 + seed * 104729) % 100_000:05d}"


def demographics(rng: random.Random, mbi: str) -> Demographics:
    name = f"{rng.choice(_FIRST)} {FAKE_NAME_MARKER}{rng.choice(_LAST)}"
    born = date(1936, 1, 1) + timedelta(days=rng.randint(0, 24 * 365))
    return Demographics(name=name, birth_date=born, mbi=mbi)


def diagnoses_for(rng: random.Random, program: Program) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Plausible (codes, problems) for a program: CCM 2-5 conditions, PCM one, ineligible acute."""
    if program == "ccm":
        picked = rng.sample(CHRONIC, rng.choice((2, 2, 3, 3, 3, 4, 5)))
        codes = [code for code, _ in picked]
        if rng.random() < 0.2:
            codes.append(rng.choice(ACUTE))  # a resolved acute problem still on the list
        return tuple(codes), tuple(problem for _, problem in picked)
    if program == "pcm":
        single, problem = rng.choice(COMPLEX_SINGLE)
        return single, (problem,)
    return tuple(rng.sample(ACUTE, rng.randint(1, 2))), ()


def last_visit(rng: random.Random, reference: date, recent: bool) -> date | None:
    """A visit 20-180 days before ``reference`` (still within 12 months when enrollment follows
    months later), or one over 13 months old / none (an initiating visit is required)."""
    if recent:
        return reference - timedelta(days=rng.randint(20, 180))
    return None if rng.random() < 0.4 else reference - timedelta(days=rng.randint(400, 1100))


def problems_for(codes: tuple[str, ...]) -> tuple[str, ...]:
    """Problem-list wording of fixed diagnoses (the code itself when it has none here)."""
    words = dict(CHRONIC)
    words |= {group[0]: problem for group, problem in COMPLEX_SINGLE}
    return tuple(words[code] for code in codes if code in words) or codes


def build_profile(
    rng: random.Random,
    pid: str,
    program: Program,
    *,
    practitioner: tuple[str, str],
    mbi: str,
    reference: date,
    recent_visit: bool,
    diagnoses: tuple[str, ...] = (),
) -> Profile:
    """A patient; ``recent_visit`` means last seen within the 180 days before ``reference``,
    otherwise an old or no last visit (an initiating visit is required)."""
    if diagnoses:
        codes, problems = diagnoses, problems_for(diagnoses)
    else:
        codes, problems = diagnoses_for(rng, program)
    return Profile(
        patient_id=pid,
        program=program,
        diagnoses=codes,
        problems=problems if program != "ineligible" else (),
        practitioner_id=practitioner[0],
        practitioner_credential=practitioner[1],
        last_visit_on=last_visit(rng, reference, recent_visit),
        demographics=demographics(rng, mbi),
    )
