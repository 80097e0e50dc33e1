"""The reports people run (``ccm report ...``): functions returning row models.

Field names of the row models are the stable JSON/CSV contract, documented in
projections/README.md.
"""

from projections.reports.billing import BillingRow, billing_month
from projections.reports.funnel import FunnelRow, funnel
from projections.reports.late import LateEntryRow, late_entries
from projections.reports.packet import MonthNotClosed, audit_packet
from projections.reports.packet_models import AuditPacket
from projections.reports.trail import AuditEventRow, audit_trail
from projections.reports.worklist import WorklistRow, worklist

__all__ = [
    "AuditEventRow",
    "AuditPacket",
    "BillingRow",
    "FunnelRow",
    "LateEntryRow",
    "MonthNotClosed",
    "WorklistRow",
    "audit_packet",
    "audit_trail",
    "billing_month",
    "funnel",
    "late_entries",
    "worklist",
]
