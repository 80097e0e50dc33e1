"""FHIR R4 in: resources of a Bundle (or NDJSON) mapped to the upstream contract's events.

Parsed with ``fhir.resources``' R4B models (``fhir.resources.R4B``): the only line of that
package on pydantic 2, which the engine uses; R4B changed none of the elements read here from
R4 (Patient, Coverage, Condition, Encounter, Consent, CarePlan, Procedure, Bundle,
OperationOutcome). The profile the mapping expects is ``fhir_in.profile``'s.
"""
