"""A practice's policy versions, and the one in force for a service month.

Version 0 is the documented defaults (``care.policy.Policy()``); each ``PolicyChanged`` of the
practice's stream adds a version in force from its effective month. Every month is decided with
the version in force for it, and ``MonthClosed`` names that version.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from care.policy import Policy
from events.practice import PolicyChanged


class PolicyVersion(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    version: int
    effective_month: str  # "YYYY-MM"; version 0 is in force from the beginning
    policy: Policy


DEFAULTS = PolicyVersion(version=0, effective_month="0000-01", policy=Policy())


class PolicyHistory(BaseModel):
    """Every version of one practice's policies, oldest first."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    versions: tuple[PolicyVersion, ...] = (DEFAULTS,)

    @classmethod
    def of(cls, changes: list[PolicyChanged]) -> PolicyHistory:
        versions = [
            PolicyVersion(version=c.version, effective_month=c.effective_month, policy=c.policy)
            for c in sorted(changes, key=lambda c: c.version)
        ]
        return cls(versions=(DEFAULTS, *versions))

    def version_for(self, month: str) -> PolicyVersion:
        """The latest version whose effective month is at or before ``month``."""
        eligible = [v for v in self.versions if v.effective_month <= month]
        return max(eligible, key=lambda v: v.version) if eligible else DEFAULTS

    def for_month(self, month: str) -> Policy:
        return self.version_for(month).policy

    def with_change(self, change: PolicyChanged) -> PolicyHistory:
        """This history with one more version (a version already known is ignored)."""
        if any(v.version == change.version for v in self.versions):
            return self
        added = PolicyVersion(
            version=change.version, effective_month=change.effective_month, policy=change.policy
        )
        return PolicyHistory(
            versions=tuple(sorted((*self.versions, added), key=lambda v: v.version))
        )

    @property
    def latest(self) -> PolicyVersion:
        return self.versions[-1]
