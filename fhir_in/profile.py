"""The profile a sender's resources must follow: identifier systems, codes and extensions.

The README's "FHIR R4 in" section has the table; in short:

- Patient: ``identifier`` with system ``PATIENT`` is the engine's opaque patient id (required,
  never a name); ``managingOrganization.identifier`` (``PRACTICE``), ``generalPractitioner[0]
  .identifier`` (``PRACTITIONER``); ``meta.lastUpdated`` is ``occurred_at`` (required);
  extensions ``LAST_VISIT_ON`` (valueDate) and ``PRIMARY_CARE`` (valueBoolean).
- Coverage: ``identifier`` with system ``MBI``; a ``class`` of type ``plan`` valued ``QMB``.
- Condition: a ``code.coding`` with system ``ICD10CM``; counted when clinicalStatus is active,
  recurrence or relapse and it is not refuted or entered-in-error.
- Encounter: class ``AMB``, finished, with a CPT/HCPCS ``type`` code: the initiating visit
  (``G0506`` in ``type`` adds G0506); class ``IMP``/``ACUTE`` (hospital) or ``NONAC`` (SNF): a
  stay, ``period.start`` admits, ``period.end`` (finished) discharges, ``entered-in-error`` or
  ``cancelled`` cancels both.
- Consent: category ``CONSENT_CATEGORY|ccm``; ``active`` records, ``rejected`` declines,
  ``inactive`` revokes, at ``dateTime``; one ``DISCLOSURE`` extension (valueCode) per disclosure
  made; ``performer.identifier`` (``STAFF``) obtained it; ``source[x]`` present: written.
- CarePlan (active): ``addresses[].display`` problems, ``goal[].display`` goals, ``replaces``
  present: a revision; extension ``SHARED_AT`` (valueDateTime).
- Procedure, category ``PROCEDURE_CATEGORY|ccm-time``: a time entry, ``performedPeriod`` or
  ``performedDateTime`` + ``DURATION`` (valueDuration, code ``min``); performer actor
  identifier (``STAFF``), function codings ``STAFF_ROLE`` and ``CREDENTIAL``; ``code`` coding
  ``ACTIVITY``; extension ``COUNTED_TOWARD``; ``entered-in-error`` voids the entry.
"""

from __future__ import annotations

_NS = "urn:ccm-engine"

PATIENT = f"{_NS}:patient-id"
PRACTICE = f"{_NS}:practice-id"
PRACTITIONER = f"{_NS}:practitioner-id"
STAFF = f"{_NS}:staff-id"
STAFF_ROLE = f"{_NS}:staff-role"
ACTIVITY = f"{_NS}:activity"
CONSENT_CATEGORY = f"{_NS}:consent-category"
PROCEDURE_CATEGORY = f"{_NS}:procedure-category"

LAST_VISIT_ON = f"{_NS}:fhir:last-visit-on"
PRIMARY_CARE = f"{_NS}:fhir:primary-care-responsible"
DISCLOSURE = f"{_NS}:fhir:ccm-disclosure"
SHARED_AT = f"{_NS}:fhir:shared-with-patient-at"
DURATION = f"{_NS}:fhir:duration"
COUNTED_TOWARD = f"{_NS}:fhir:counted-toward"

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
MBI = "http://hl7.org/fhir/sid/us-mbi"
CPT = "http://www.ama-assn.org/go/cpt"
HCPCS = (
    "urn:oid:2.16.840.1.113883.6.285",
    "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
)
CREDENTIAL = "http://terminology.hl7.org/CodeSystem/v2-0360"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
UCUM = "http://unitsofmeasure.org"

INPATIENT = {"IMP": "hospital", "ACUTE": "hospital", "NONAC": "snf"}
ACTIVE_CONDITION = frozenset({"active", "recurrence", "relapse"})
DISCLOSURES = ("availability", "cost_sharing", "stop_anytime", "one_practitioner")
