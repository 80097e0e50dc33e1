"""``ccm audit verify|anchor|keygen``: the event store's tamper evidence.

``verify`` walks the hash chains and checks the newest signed checkpoint (or every one);
``anchor`` writes a new checkpoint of every stream head; ``keygen`` makes a signing key for a
deployment. Exit 0 intact / written, 1 broken or no database, 2 bad arguments or key.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from cli.audit_args import AuditArgError, anchor_source, anchor_target, pinned_key
from cli.outage import OUTAGES, outage_exit
from events.anchor import Checkpoint, sign, take_checkpoint
from events.anchor_check import Anchored, AnchorProblem, load_checkpoints, verify_against
from events.anchor_keys import (
    AnchorKeyError,
    create_key_file,
    key_id,
    signing_key,
    store_public_key,
)
from events.verify import VerifyReport
from runtime.logging import configure_logging
from runtime.settings import Settings
from runtime.stack import open_database

KEY_ADVICE = "a deployment keeps its key off the database host and names it in CCM_ANCHOR_KEY_FILE"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("audit", help="tamper evidence of the event store")
    actions = parser.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = actions.add_parser(
        "verify", help="verify the hash chains and the anchored heads; exit 1 if broken"
    )
    verify.add_argument("--stream", help="verify only this stream, e.g. patient-<id>")
    verify.add_argument(
        "--anchors", help="checkpoint directory or file (default $CCM_DATA_DIR/anchors)"
    )
    verify.add_argument(
        "--every", action="store_true", help="check every checkpoint, not only the newest"
    )
    verify.add_argument("--public-key", help="accept only checkpoints signed by this PEM key")
    verify.set_defaults(handler=run_verify)
    anchor = actions.add_parser("anchor", help="write a signed checkpoint of every stream head")
    anchor.add_argument(
        "--out", help="a directory (default $CCM_DATA_DIR/anchors) or a new FILE.json"
    )
    anchor.set_defaults(handler=run_anchor)
    keygen = actions.add_parser("keygen", help="create an Ed25519 signing key (0600) for anchors")
    keygen.add_argument("file", help="where to write the private key; it must not exist")
    keygen.set_defaults(handler=run_keygen)


def _fail(command: str, message: str, code: int) -> int:
    print(f"ccm audit {command}: {message}", file=sys.stderr)
    return code


def run_verify(args: argparse.Namespace) -> int:
    """Prints a summary; exit 0 intact, 1 naming each altered event, stream or checkpoint."""
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    try:
        sink, explicit = anchor_source(args.anchors, settings.data_dir)
        pinned = pinned_key(args.public_key)
    except AuditArgError as exc:
        return _fail("verify", str(exc), 2)
    try:
        anchors, unusable = load_checkpoints(sink, every=args.every, pinned=pinned)
    except OSError as exc:
        return _fail("verify", f"cannot read the checkpoints: {exc}", 1)
    try:
        report, problems = asyncio.run(_verify(settings, anchors, args.stream))
    except asyncpg.UndefinedTableError:
        return _fail("verify", "no event store in this database (run `ccm db migrate`)", 1)
    except OUTAGES as exc:
        return outage_exit("audit verify", exc)
    print(f"checked {report.streams} streams, {report.events} events")
    _print_anchors(anchors)
    if not anchors and not unusable:
        if explicit:
            unusable.append(AnchorProblem(anchor=args.anchors, reason="no checkpoint found"))
        else:
            print(f"not anchored: no checkpoint in {sink.root}; see `ccm audit anchor`")
    return _print_broken(
        [b.describe() for b in report.broken] + [p.describe() for p in unusable + problems]
    )


def _print_anchors(anchors: list[Anchored]) -> None:
    for anchored in anchors:
        cp = anchored.checkpoint
        print(
            f"against anchor {anchored.name} (key {anchored.key_id}, created {cp.created_at},"
            f" {len(cp.streams)} stream heads)"
        )


def _print_broken(lines: list[str]) -> int:
    """Every problem on its own line; exit 1 with any, else "intact" and 0."""
    for line in lines:
        print(f"BROKEN {line}")
    if lines:
        return 1
    print("intact")
    return 0


async def _verify(
    settings: Settings, anchors: list[Anchored], stream: str | None
) -> tuple[VerifyReport, list[AnchorProblem]]:
    # CCM_DATABASE_URL, else a running `ccm dev`, else the embedded server in the data dir started
    # just for this. Read-only, as the report role: no migration is applied on the way.
    async with open_database(settings, start_missing=False) as urls:
        pool = await asyncpg.create_pool(urls.report, min_size=1, max_size=2)
        try:
            return await verify_against(pool, anchors, stream)
        finally:
            await pool.close()


def run_anchor(args: argparse.Namespace) -> int:
    """Exit 0 once the checkpoint is stored, 2 for a bad --out or key, 1 without a database."""
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    try:
        sink, name = anchor_target(args.out, settings.data_dir)
        key, path, created = signing_key(dict(os.environ), settings.data_dir)
    except (AuditArgError, AnchorKeyError) as exc:
        return _fail("anchor", str(exc), 2)
    except OSError as exc:
        return _fail("anchor", f"cannot create the signing key: {exc}", 2)
    kid = key_id(key.public_key())
    if created:
        print(f"created anchor signing key {path} (key {kid}); {KEY_ADVICE}", file=sys.stderr)
    try:
        checkpoint = asyncio.run(_take(settings))
    except asyncpg.UndefinedTableError:
        return _fail("anchor", "no event store in this database (run `ccm db migrate`)", 1)
    except OUTAGES as exc:
        return outage_exit("audit anchor", exc)
    try:
        store_public_key(sink, key.public_key())
        where = sink.put(name or checkpoint.file_name, sign(checkpoint, key))
    except (OSError, AnchorKeyError) as exc:
        return _fail("anchor", str(exc), 1)
    print(
        f"anchored {len(checkpoint.streams)} streams up to position {checkpoint.head_position}"
        f" in {where} (key {kid})"
    )
    return 0


async def _take(settings: Settings) -> Checkpoint:
    # Reads the stream heads only: as the report role.
    async with open_database(settings, start_missing=False) as urls:
        pool = await asyncpg.create_pool(urls.report, min_size=1, max_size=1)
        try:
            return await take_checkpoint(pool, datetime.now(UTC))
        finally:
            await pool.close()


def run_keygen(args: argparse.Namespace) -> int:
    """Exit 0 once written, 2 when the file exists or cannot be written."""
    path = Path(args.file)
    try:
        key = create_key_file(path)
    except AnchorKeyError as exc:
        return _fail("keygen", str(exc), 2)
    except OSError as exc:
        return _fail("keygen", f"cannot write {path}: {exc.strerror}", 2)
    print(f"wrote anchor signing key {path} (key {key_id(key.public_key())}, mode 0600)")
    print(f"set CCM_ANCHOR_KEY_FILE={path} where `ccm audit anchor` runs")
    return 0
