"""Everything about a practice's workflows that Temporal keeps outside the payload codec, and the
encrypted metadata an operator still sees decoded in the UI (summaries, current details).

Raw ``describe`` results and history events are collected as serialised protobuf (search
attribute values are payloads the codec never touches: their bytes are stored as they are), so a
scan of them is a scan of what Temporal stores outside the ciphertext.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload
from temporalio.api.failure.v1 import Failure
from temporalio.api.history.v1 import HistoryEvent
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.client import Client

from runtime.connect import connect_client
from runtime.crypto.codec import ENCODING
from runtime.crypto.keyfile import KEY_FILE, FileKeyRing
from tests.integration.dev_practice import DevPractice
from workflows.patient import workflow_id_for


@dataclass
class Metadata:
    blob: bytes  # every collected part, newline-separated
    runs: int
    summaries_encrypted: bool  # every stored summary or details payload is ciphertext


async def unencrypted_metadata(practice: DevPractice) -> Metadata:
    keys = FileKeyRing(practice.data_dir / KEY_FILE)
    client = await connect_client(practice.temporal_address, "default", keys)
    parts: list[bytes] = []
    sealed: list[bool] = []
    runs = 0
    for patient in practice.patients:
        workflow_id = workflow_id_for(patient.patient_id)
        for run_id in await run_chain(client, workflow_id):
            handle = client.get_workflow_handle(workflow_id, run_id=run_id)
            parts.append((await handle.describe()).raw_description.SerializeToString())
            for event in (await handle.fetch_history()).events:
                parts.append(event.SerializeToString())
                for payload in user_metadata(event):
                    sealed.append(payload.metadata.get("encoding") == ENCODING)
                    [text] = await client.data_converter.decode([payload], [str])
                    parts.append(str(text).encode())
                for failure in failures_in(event):
                    parts.append(str(await client.data_converter.decode_failure(failure)).encode())
            runs += 1
        current = await client.get_workflow_handle(workflow_id).query(
            "__temporal_workflow_metadata", result_type=WorkflowMetadata
        )
        parts.append(current.current_details.encode())
    return Metadata(b"\n".join(parts), runs, bool(sealed) and all(sealed))


async def run_chain(client: Client, workflow_id: str) -> list[str]:
    """Run ids of a continue-as-new chain, the current one last."""
    chain = [(await client.get_workflow_handle(workflow_id).describe()).run_id]
    while True:
        history = await client.get_workflow_handle(workflow_id, run_id=chain[0]).fetch_history()
        previous = history.events[0].workflow_execution_started_event_attributes
        if not previous.continued_execution_run_id:
            return chain
        chain.insert(0, previous.continued_execution_run_id)


def user_metadata(event: HistoryEvent) -> list[Payload]:
    meta = event.user_metadata
    return [p for p in (meta.summary, meta.details) if p.ByteSize()]


def failures_in(message: Message) -> Iterator[Failure]:
    """Every ``Failure`` nested anywhere in ``message`` (copies: decoding mutates them)."""
    for field, value in message.ListFields():
        if field.message_type is None or field.message_type.GetOptions().map_entry:
            continue
        for item in value if field.is_repeated else [value]:
            if isinstance(item, Failure):
                copy = Failure()
                copy.CopyFrom(item)
                yield copy
            elif isinstance(item, Message):
                yield from failures_in(item)
