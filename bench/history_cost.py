"""What a set of workflow runs cost in Temporal's own units, counted from their histories.

Temporal Cloud bills *actions* (docs.temporal.io/cloud/actions): a workflow start (client,
continue-as-new), an accepted update (update-with-start counts the update besides the start), a
signal, an activity scheduled or retried, a timer started (a ``wait_condition`` timeout is one),
a search-attribute upsert (not one that only sets ``TemporalChangeVersion``), and every local
activity recorded in one workflow task together as one (counted here as every marker of a
workflow task, a ``workflow.patched`` marker included: the conservative reading). Queries and
rejected updates are billed too but leave no history event, so they are not counted here.
History events are what the server writes and a worker replays: the dev server's write load.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client

ONE_EACH = {
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED: "start",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED: "update",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED: "signal",
    EventType.EVENT_TYPE_TIMER_STARTED: "timer",
}
CHANGE_VERSION = "TemporalChangeVersion"


@dataclass
class Cost:
    runs: int = 0
    events: int = 0
    actions: Counter[str] = field(default_factory=Counter)
    event_types: Counter[str] = field(default_factory=Counter)

    @property
    def total_actions(self) -> int:
        return sum(self.actions.values())

    def add_run(self, events: list[HistoryEvent]) -> None:
        self.runs += 1
        self.events += len(events)
        marker_in_task = False
        for event in events:
            self.event_types[EventType.Name(event.event_type).removeprefix("EVENT_TYPE_")] += 1
            kind, count = _action(event)
            if kind == "markers":
                if not marker_in_task:  # one action per workflow task, whatever the count
                    self.actions[kind] += 1
                marker_in_task = True
                continue
            if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
                marker_in_task = False
            if kind is not None and count:
                self.actions[kind] += count


def _action(event: HistoryEvent) -> tuple[str | None, int]:
    """The action ``event`` stands for, and how many (an activity's retries: attempts - 1)."""
    kind = event.event_type
    if kind in ONE_EACH:
        return ONE_EACH[kind], 1
    if kind == EventType.EVENT_TYPE_MARKER_RECORDED:
        return "markers", 1
    if kind == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        return "activity", 1
    if kind == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
        return "activity_retry", event.activity_task_started_event_attributes.attempt - 1
    if kind == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
        fields = event.upsert_workflow_search_attributes_event_attributes.search_attributes
        return "search_attributes", int(bool(set(fields.indexed_fields) - {CHANGE_VERSION}))
    return None, 0


async def cost_of(client: Client, query: str) -> Cost:
    """Counts every run matching the visibility ``query`` (every run of a continued chain)."""
    cost = Cost()
    async for execution in client.list_workflows(query):
        handle = client.get_workflow_handle(execution.id, run_id=execution.run_id)
        history = await handle.fetch_history()
        cost.add_run(list(history.events))
    return cost
