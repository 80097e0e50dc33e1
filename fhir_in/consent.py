"""Consent (CCM category) → ``consent_recorded`` / ``consent_declined`` / ``consent_revoked``.

The four disclosures (MLN909188) travel as repeated ``DISCLOSURE`` extensions with a valueCode;
a missing one is recorded as not made, and the engine refuses the consent naming it.
"""

from __future__ import annotations

from fhir.resources.R4B.consent import Consent

from events.upstream import (
    ConsentDeclined,
    ConsentRecorded,
    ConsentRevoked,
    Disclosures,
    UpstreamEvent,
)
from fhir_in import profile
from fhir_in.common import Context, Unmappable, build, codes, extensions, moment, opaque, patient_of

PATHS = {"obtained_by": "Consent.performer", "disclosures": "Consent.extension", "": "Consent"}


def map_consent(c: Consent, ctx: Context) -> list[UpstreamEvent]:
    if "ccm" not in codes(c.category, profile.CONSENT_CATEGORY):
        why = f"not a CCM consent: needs a category coding {profile.CONSENT_CATEGORY}|ccm"
        raise Unmappable("Consent.category", why)
    key = f"Consent/{opaque(c.id, 'Consent.id')}"
    head = {"patient_id": patient_of(c.patient, ctx, "Consent.patient"), "meta": ctx.meta}
    if c.status in ("draft", "proposed", "entered-in-error"):
        return []
    at = moment(c.dateTime, "Consent.dateTime")
    if c.status == "rejected":
        return [build(ConsentDeclined, PATHS, event_id=f"{key}/declined", occurred_at=at, **head)]
    if c.status == "inactive":
        return [build(ConsentRevoked, PATHS, event_id=f"{key}/revoked", occurred_at=at, **head)]
    made = {e.valueCode for e in extensions(c, profile.DISCLOSURE)}
    disclosures = Disclosures(**{name: name in made for name in profile.DISCLOSURES})
    method = "written" if c.sourceAttachment or c.sourceReference else "verbal"
    by = _obtained_by(c)
    return [build(ConsentRecorded, PATHS, event_id=f"{key}/recorded", occurred_at=at,
                  method=method, obtained_by=by, disclosures=disclosures, **head)]  # fmt: skip


def _obtained_by(c: Consent) -> str:
    for index, performer in enumerate(c.performer or []):
        if performer.identifier is not None and performer.identifier.system == profile.STAFF:
            return opaque(performer.identifier.value, f"Consent.performer[{index}].identifier")
    raise Unmappable("Consent.performer", f"needs the staff who obtained it ({profile.STAFF})")
