"""Guarantee: a privileged writer who rewrites a stream's tail *and* its head is found.

The in-database walk cannot see such a rewrite (each test shows it passing); ``ccm audit verify``
finds it against a signed checkpoint written earlier by ``ccm audit anchor``. Every command runs
as a separate process against real PostgreSQL.
"""

from __future__ import annotations

import json
import stat
import uuid
from pathlib import Path

import asyncpg
import pytest

from events.base import stream_for
from events.store import EventStore
from events.verify import verify_chains
from tests.integration.anchor_cli import (
    PHI,
    add_practice,
    backdate,
    ccm,
    ccm_env,
    checkpoints,
    drop_database,
    one_more,
    other_database,
)
from tests.integration.privileged_writer import rewrite_tail, truncate_tail

pytestmark = pytest.mark.integration
VICTIM = stream_for("p1")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def env(db_url: str, data_dir: Path) -> dict[str, str]:
    return ccm_env(db_url, data_dir)


@pytest.fixture
async def practice(store: EventStore) -> dict[str, int]:
    return await add_practice(store, 4)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_anchor_then_verify_is_intact_with_owner_only_files(
    env: dict[str, str], data_dir: Path, practice: dict[str, int]
) -> None:
    total = sum(practice.values())
    code, out, err = await ccm(env, "audit", "anchor")
    assert code == 0, err
    assert f"anchored 4 streams up to position {total}" in out
    assert "created anchor signing key" in err
    anchors, key = data_dir / "anchors", data_dir / "secrets" / "anchor-ed25519.pem"
    [first] = checkpoints(anchors)
    assert (mode(key), mode(key.parent), mode(anchors), mode(first)) == (0o600, 0o700, 0o700, 0o600)
    [public] = anchors.glob("anchor-key-*.pub")
    assert public.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    document = json.loads(first.read_text())
    heads = {h["stream"]: h["version"] for h in document["streams"]}
    assert heads == practice and document["head_position"] == total
    assert not any(phi in first.read_text() for phi in PHI)
    code, out, err = await ccm(env, "audit", "anchor")
    assert code == 0 and "created" not in err and len(checkpoints(anchors)) == 2
    code, out, _ = await ccm(env, "audit", "verify")
    assert code == 0, out
    assert f"against anchor {checkpoints(anchors)[-1].name}" in out and out.endswith("intact\n")


async def test_a_tail_rewritten_with_its_head_is_named(
    env: dict[str, str], data_dir: Path, practice: dict[str, int], pool: asyncpg.Pool
) -> None:
    assert (await ccm(env, "audit", "anchor"))[0] == 0
    [anchor] = checkpoints(data_dir / "anchors")
    last = practice[VICTIM]
    await rewrite_tail(pool, VICTIM, last - 2, backdate)
    assert (await verify_chains(pool)).ok  # the chain inside the database is fooled
    code, out, _ = await ccm(env, "audit", "verify")
    assert code == 1
    assert f"BROKEN stream {VICTIM} version {last}: rewritten after anchor {anchor.name}" in out
    assert out.count("BROKEN") == 1 and not any(phi in out for phi in PHI)


async def test_removed_events_with_the_head_rolled_back_are_named(
    env: dict[str, str], data_dir: Path, practice: dict[str, int], pool: asyncpg.Pool
) -> None:
    assert (await ccm(env, "audit", "anchor"))[0] == 0
    [anchor] = checkpoints(data_dir / "anchors")
    last = practice[VICTIM]
    await truncate_tail(pool, VICTIM, keep=last - 3)
    assert (await verify_chains(pool)).ok
    code, out, _ = await ccm(env, "audit", "verify")
    assert code == 1
    assert (
        f"BROKEN stream {VICTIM} version {last}: events removed after anchor {anchor.name}:"
        f" the stream ends at version {last - 3}"
    ) in out


async def test_a_tampered_checkpoint_fails_its_signature_and_an_older_one_is_used(
    env: dict[str, str], data_dir: Path, practice: dict[str, int], store: EventStore
) -> None:
    assert (await ccm(env, "audit", "anchor"))[0] == 0
    await one_more(store, "p2", 1)
    assert (await ccm(env, "audit", "anchor"))[0] == 0
    older, newer = checkpoints(data_dir / "anchors")
    document = json.loads(newer.read_text())
    document["streams"][0]["version"] -= 1  # an edit that would hide the newest event
    newer.write_text(json.dumps(document))
    code, out, _ = await ccm(env, "audit", "verify")
    assert code == 1
    assert f"BROKEN anchor {newer.name}: signature invalid: content does not match" in out
    assert f"against anchor {older.name}" in out and out.count("BROKEN") == 1


async def test_a_checkpoint_from_another_database_is_refused(
    env: dict[str, str], data_dir: Path, practice: dict[str, int], pg_server: str, tmp_path: Path
) -> None:
    name = f"test_{uuid.uuid4().hex}"
    other = await other_database(pg_server, name)
    try:
        pool = await asyncpg.create_pool(other, min_size=1, max_size=2)
        try:
            await add_practice(EventStore(pool), 2, seed=9)
        finally:
            await pool.close()
        theirs = ccm_env(other, tmp_path / "other")
        assert (await ccm(theirs, "audit", "anchor"))[0] == 0
        anchors = str(tmp_path / "other" / "anchors")
        code, out, _ = await ccm(env, "audit", "verify", "--anchors", anchors)
        assert code == 1
        [line] = [line for line in out.splitlines() if line.startswith("BROKEN")]
        assert "anchor from another database (database " in line and f"database {name}" in line
        assert (await ccm(theirs, "audit", "verify", "--anchors", anchors))[0] == 0
    finally:
        await drop_database(pg_server, name)


async def test_without_checkpoints_only_a_named_location_is_required(
    env: dict[str, str], tmp_path: Path, practice: dict[str, int]
) -> None:
    code, out, _ = await ccm(env, "audit", "verify")
    assert code == 0 and "not anchored: no checkpoint in" in out
    code, _, err = await ccm(env, "audit", "verify", "--anchors", str(tmp_path / "nowhere"))
    assert code == 2 and "--anchors: no such directory or file" in err
    (tmp_path / "empty").mkdir()
    code, out, _ = await ccm(env, "audit", "verify", "--anchors", str(tmp_path / "empty"))
    assert code == 1 and "no checkpoint found" in out


async def test_a_pinned_key_refuses_a_checkpoint_the_writer_signed_for_the_rewrite(
    env: dict[str, str], data_dir: Path, practice: dict[str, int], pool: asyncpg.Pool,
    tmp_path: Path,
) -> None:  # fmt: skip
    assert (await ccm(env, "audit", "anchor"))[0] == 0
    [public] = (data_dir / "anchors").glob("anchor-key-*.pub")
    await rewrite_tail(pool, VICTIM, 1, backdate)
    # The writer can also reach the anchor directory here: it signs the rewrite with its own key.
    forger = tmp_path / "forger.pem"
    assert (await ccm(env, "audit", "keygen", str(forger)))[0] == 0
    assert (await ccm({**env, "CCM_ANCHOR_KEY_FILE": str(forger)}, "audit", "anchor"))[0] == 0
    assert (await ccm(env, "audit", "verify"))[0] == 0  # unpinned, the newest checkpoint wins
    code, out, _ = await ccm(env, "audit", "verify", "--public-key", str(public))
    assert code == 1
    assert "signature invalid: no public key" in out
    assert f"BROKEN stream {VICTIM} version {practice[VICTIM]}: rewritten after anchor" in out


async def test_events_newer_than_the_latest_anchor_are_out_of_its_reach(
    env: dict[str, str], practice: dict[str, int], pool: asyncpg.Pool, store: EventStore
) -> None:
    assert (await ccm(env, "audit", "anchor"))[0] == 0
    await one_more(store, "p1", 1)
    await one_more(store, "p1", 2)
    await rewrite_tail(pool, VICTIM, practice[VICTIM] + 1, backdate)
    assert (await ccm(env, "audit", "verify"))[0] == 0  # the window the README warns about
    assert (await ccm(env, "audit", "anchor"))[0] == 0
    await rewrite_tail(pool, VICTIM, practice[VICTIM] + 2, lambda p: p.replace("rn-2", "rn-9"))
    assert (await ccm(env, "audit", "verify"))[0] == 1  # the next anchor covers them


async def test_every_checkpoint_names_a_stream_once_for_the_newest_it_fails(
    env: dict[str, str], data_dir: Path, practice: dict[str, int], pool: asyncpg.Pool,
    store: EventStore,
) -> None:  # fmt: skip
    assert (await ccm(env, "audit", "anchor"))[0] == 0
    version = await one_more(store, "p1", 1)
    assert (await ccm(env, "audit", "anchor"))[0] == 0
    older, newer = checkpoints(data_dir / "anchors")
    await rewrite_tail(pool, VICTIM, 2, backdate)
    code, out, _ = await ccm(env, "audit", "verify", "--every")
    assert code == 1
    assert f"against anchor {older.name}" in out and f"against anchor {newer.name}" in out
    assert [line for line in out.splitlines() if line.startswith("BROKEN")] == [
        f"BROKEN stream {VICTIM} version {version}: rewritten after anchor {newer.name}:"
        " its events no longer hash to the anchored head"
    ]


async def test_one_stream_is_verified_alone(
    env: dict[str, str], practice: dict[str, int], pool: asyncpg.Pool
) -> None:
    assert (await ccm(env, "audit", "anchor"))[0] == 0
    await rewrite_tail(pool, VICTIM, 3, backdate)
    await rewrite_tail(pool, stream_for("p2"), 3, backdate, drop_first=True)
    code, out, _ = await ccm(env, "audit", "verify", "--stream", stream_for("p2"))
    assert code == 1 and "1 streams" in out and VICTIM not in out
    assert f"BROKEN stream {stream_for('p2')} version {practice[stream_for('p2')]}" in out
    code, out, _ = await ccm(env, "audit", "verify", "--stream", stream_for("p3"))
    assert code == 0, out


async def test_key_and_output_mistakes_exit_2_naming_the_setting(
    env: dict[str, str], practice: dict[str, int], tmp_path: Path
) -> None:
    key = tmp_path / "keys" / "anchor.pem"
    missing = {**env, "CCM_ANCHOR_KEY_FILE": str(key)}
    code, _, err = await ccm(missing, "audit", "anchor")
    assert code == 2 and f"CCM_ANCHOR_KEY_FILE: no key file at {key}" in err
    code, out, _ = await ccm(env, "audit", "keygen", str(key))
    assert code == 0 and mode(key) == 0o600 and "set CCM_ANCHOR_KEY_FILE=" in out
    code, _, err = await ccm(env, "audit", "keygen", str(key))
    assert code == 2 and "already exists" in err
    key.chmod(0o644)
    code, _, err = await ccm(missing, "audit", "anchor")
    assert code == 2 and "readable by others (mode 0644); chmod 600" in err
    key.chmod(0o600)
    out_file = tmp_path / "nightly.json"
    assert (await ccm(missing, "audit", "anchor", "--out", str(out_file)))[0] == 0
    code, _, err = await ccm(missing, "audit", "anchor", "--out", str(out_file))
    assert code == 2 and "exists; a checkpoint is never overwritten" in err
    code, out, _ = await ccm(env, "audit", "verify", "--anchors", str(out_file))
    assert code == 0 and "against anchor nightly.json" in out
