"""Read models built from the event store: the audit trail, the reimbursement ledger, the
enrollment funnel and the monthly worklist, with the runner that keeps them current.

Entry points: ``projections.runner.run_projections`` / ``catch_up``, ``projections.status``,
``projections.rebuild.rebuild`` and the report functions in ``projections.reports``.
"""

from projections.status import ProjectionStatus, status

__all__ = ["ProjectionStatus", "status"]
