"""What ``ccm status`` asks Temporal: the server, the task queue's pollers and backlog, and
patient workflows whose tasks keep failing (Temporal's ``TemporalReportedProblems``)."""

from __future__ import annotations

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest, GetSystemInfoRequest
from temporalio.client import Client

from ops.status_model import Component

SAMPLE = 5


async def server(client: Client, address: str) -> Component:
    info = await client.workflow_service.get_system_info(GetSystemInfoRequest())
    return Component(
        name="temporal", up=True, version=f"Temporal {info.server_version}",
        detail=f"{address} namespace {client.namespace}",
    )  # fmt: skip


async def workers(client: Client, task_queue: str) -> Component:
    """Pollers on both halves of the task queue, and the tasks waiting for one."""
    pollers, backlog = {}, 0
    for kind, label in (
        (TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, "workflow"),
        (TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY, "activity"),
    ):
        resp = await client.workflow_service.describe_task_queue(
            DescribeTaskQueueRequest(
                namespace=client.namespace,
                task_queue=TaskQueue(name=task_queue),
                task_queue_type=kind,
                report_stats=True,
            )
        )
        pollers[label] = {p.identity for p in resp.pollers}
        backlog += resp.stats.approximate_backlog_count
    count = len(pollers["workflow"] | pollers["activity"])
    problems = [] if count else [f"no worker polls {task_queue}: start `ccm worker`"]
    return Component(
        name="workers", up=bool(count), detail=f"{count} on {task_queue}", backlog=backlog,
        problems=problems,
    )  # fmt: skip


async def failing(client: Client, task_queue: str) -> Component:
    """Running patient workflows of this task queue whose workflow task fails again and again."""
    query = f'WorkflowType="PatientCare" AND ExecutionStatus="Running" AND TaskQueue="{task_queue}"'
    query += " AND TemporalReportedProblems IS NOT NULL"
    ids = []
    async for execution in client.list_workflows(query, limit=SAMPLE + 1):
        ids.append(execution.id)
    count = await client.count_workflows(query) if ids else None
    total = count.count if count is not None else 0
    problems = [f"{total} workflow(s) with failing tasks, e.g. {', '.join(ids[:SAMPLE])}"]
    return Component(
        name="patient workflows", up=not ids,
        detail="no failing tasks" if not ids else f"{total} failing",
        problems=problems if ids else [],
    )  # fmt: skip
