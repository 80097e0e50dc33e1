"""ADT messages for tests, built field by field (segments end with \\r)."""

from __future__ import annotations

# A patient's demographics that must never reach an ACK, a log line or a reject file.
NAME, BIRTH, MRN = "DOE^JANE^Q", "19500203", "MRN-4242"


def adt(
    trigger: str,
    *,
    control: str = "MSG0001",
    pid3: str = f"{MRN}^^^HOSP^MR",
    patient_class: str = "I",
    patient_type: str = "",
    admitted: str = "",
    discharged: str = "",
    evn: str = "202611250830-0500",
    message_type: str = "ADT",
) -> bytes:
    """An ADT message; times are HL7 DTM strings (empty: left out)."""
    pv1 = ["PV1", "1", patient_class, "4W^401^1", *[""] * 14, patient_type]
    pv1 += [""] * (44 - len(pv1)) + [admitted, discharged]
    segments = [
        f"MSH|^~\\&|ADT1|GOOD HEALTH|CCM|PRACTICE|{evn}||{message_type}^{trigger}|{control}|P|"
        "2.5.1",
        f"EVN|{trigger}|{evn}",
        f"PID|1||{pid3}||{NAME}||{BIRTH}|F|||1 MAIN ST^^TOWN^NY",
        "|".join(pv1),
    ]
    return ("\r".join(segments) + "\r").encode()
