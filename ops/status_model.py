"""The shape of ``ccm status``: one line per component, healthy or not, with what to do."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class Component(BaseModel):
    """``up`` is the component's own verdict; ``problems`` say what is wrong and what to run."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str
    up: bool
    version: str | None = None
    detail: str = ""
    backlog: int | None = None
    lag_events: int | None = None
    lag_seconds: float | None = None
    problems: list[str] = Field(default_factory=list)


class StackStatus(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    checked_at: datetime
    components: list[Component]

    @property
    def healthy(self) -> bool:
        return all(c.up and not c.problems for c in self.components)

    def render(self) -> str:
        width = max(len(c.name) for c in self.components)
        lines = [f"ccm status at {self.checked_at:%Y-%m-%d %H:%M:%S %Z}: "
                 + ("healthy" if self.healthy else "PROBLEMS")]  # fmt: skip
        for c in self.components:
            mark = "up  " if c.up and not c.problems else ("WARN" if c.up else "DOWN")
            extra = [c.version or "", c.detail]
            if c.backlog is not None:
                extra.append(f"backlog {c.backlog}")
            if c.lag_events is not None:
                extra.append(f"lag {c.lag_events} events / {c.lag_seconds or 0:.1f} s")
            lines.append(f"  {mark} {c.name:<{width}}  {' · '.join(e for e in extra if e)}")
            lines += [f"       {' ' * width}  ! {p}" for p in c.problems]
        return "\n".join(lines)
