"""Checkpoint files: what the signature covers, and the write-once directory they live in."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from events.anchor import (
    AnchoredHead,
    Checkpoint,
    CheckpointInvalid,
    StoreIdentity,
    open_checkpoint,
    sign,
)
from events.anchor_check import load_checkpoints
from events.anchor_keys import key_id, store_public_key
from events.anchor_sink import AlreadyStored, FilesystemSink

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
STORE = StoreIdentity(name="ccm", system_identifier="7714", store_id="ab" * 32)


def checkpoint(at: str = "2026-03-02T09:30:00.000001Z", version: int = 3) -> Checkpoint:
    heads = [
        AnchoredHead(stream="patient-p1", version=version, hash="01" * 32),
        AnchoredHead(stream="patient-p2", version=1, hash="02" * 32),
    ]
    return Checkpoint(created_at=at, database=STORE, head_position=9, streams=heads)


def only_ours(kid: str) -> Any:
    return KEY.public_key() if kid == key_id(KEY.public_key()) else None


def test_a_signed_checkpoint_opens_whatever_its_keys_order_or_spacing() -> None:
    document = json.loads(sign(checkpoint(), KEY))
    reordered = json.dumps(dict(reversed(document.items())), indent=4).encode()
    assert open_checkpoint(reordered, only_ours) == (checkpoint(), key_id(KEY.public_key()))


def _set(path: str, value: object) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = document
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value

    return change


@pytest.mark.parametrize(
    "change",
    [
        _set("streams.0.version", 2),
        _set("streams.1.hash", "03" * 32),
        _set("head_position", 8),
        _set("created_at", "2026-03-03T09:30:00.000001Z"),
        _set("database.store_id", "cd" * 32),
        lambda d: d["streams"].pop(),
        lambda d: d["streams"].append({"stream": "patient-p3", "version": 1, "hash": "04" * 32}),
    ],
)
def test_any_change_to_the_body_breaks_the_signature(change: Callable[[Any], None]) -> None:
    document = json.loads(sign(checkpoint(), KEY))
    change(document)
    with pytest.raises(CheckpointInvalid, match="content does not match its signature"):
        open_checkpoint(json.dumps(document).encode(), only_ours)


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"\xff\xfe", "not a signed checkpoint"),
        (b"[1, 2]", "not a signed checkpoint"),
        (b'{"streams": []}', "not a signed checkpoint"),
        (b'{"signature": {"alg": "rsa"}}', "malformed signature"),
    ],
)
def test_a_file_that_is_not_a_signed_checkpoint_says_so(data: bytes, reason: str) -> None:
    with pytest.raises(CheckpointInvalid, match=reason):
        open_checkpoint(data, only_ours)


def test_an_unknown_key_is_named() -> None:
    other = Ed25519PrivateKey.generate()
    with pytest.raises(CheckpointInvalid, match=f"no public key {key_id(other.public_key())}"):
        open_checkpoint(sign(checkpoint(), other), only_ours)


def test_file_names_sort_in_time_order() -> None:
    times = ["2026-03-02T09:30:00.000001Z", "2026-03-02T09:30:00.000010Z", "2026-12-01T00:00:00Z"]
    names = [checkpoint(at).file_name for at in times]
    assert names == sorted(names) and names[0] == "anchor-20260302T093000.000001Z.json"


def test_the_directory_never_replaces_an_object_and_keeps_it_owner_only(tmp_path: Path) -> None:
    sink = FilesystemSink(tmp_path / "anchors")
    sink.put("a.json", b"first")
    with pytest.raises(AlreadyStored):
        sink.put("a.json", b"second")
    assert sink.get("a.json") == b"first" and sink.get("b.json") is None
    assert sink.names() == ["a.json"]  # no temporary file left behind
    assert stat.S_IMODE((tmp_path / "anchors" / "a.json").stat().st_mode) == 0o600
    assert FilesystemSink(tmp_path / "anchors", only="b.json").names() == []


def test_the_newest_checkpoint_that_verifies_is_used(tmp_path: Path) -> None:
    sink = FilesystemSink(tmp_path)
    store_public_key(sink, KEY.public_key())
    older, newer = checkpoint("2026-03-02T09:00:00Z", 3), checkpoint("2026-03-02T10:00:00Z", 4)
    sink.put(older.file_name, sign(older, KEY))
    sink.put(newer.file_name, sign(newer, KEY).replace(b'"version":4', b'"version":5'))
    found, problems = load_checkpoints(sink, every=False)
    assert [a.checkpoint for a in found] == [older]
    assert [(p.anchor, p.reason.split(":")[0]) for p in problems] == [
        (newer.file_name, "signature invalid")
    ]
    forged = Ed25519PrivateKey.generate()
    found, problems = load_checkpoints(sink, every=True, pinned=forged.public_key())
    assert found == [] and len(problems) == 2
