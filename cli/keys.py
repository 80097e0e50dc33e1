"""``ccm keys``: the payload key ring. ``rotate`` adds a key and makes it current; ``list`` shows
ids and creation dates, never a key.

Rotation keeps every old key, so payloads sealed before it still open; workers reading the key
file follow it without a restart. Keys set in ``CCM_CODEC_KEYS`` are rotated in the secret store
that sets it (see the README), so ``rotate`` refuses them.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from runtime.crypto.converter import NoKeys, load_key_ring
from runtime.crypto.keyfile import KEY_FILE, rotate_key_file
from runtime.crypto.keyring import KeyRingError
from runtime.settings import Settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("keys", help="the payload encryption key ring")
    sub = parser.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    sub.add_parser("rotate", help="add a new key and make it current (old keys are kept)")
    sub.add_parser("list", help="key ids and creation dates, current first")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """0 on success, 2 when the ring is set by ``CCM_CODEC_KEYS`` (rotate) or unusable."""
    settings = Settings.from_env()
    try:
        if args.keys_command == "rotate":
            return _rotate(settings)
        return _list(settings)
    except (NoKeys, KeyRingError) as exc:
        print(f"ccm keys: {exc}", file=sys.stderr)
        return 2


def _rotate(settings: Settings) -> int:
    if settings.codec_keys is not None:
        print(
            "ccm keys rotate: keys come from CCM_CODEC_KEYS; add the new key there "
            "(README: key rotation)",
            file=sys.stderr,
        )
        return 2
    path = settings.data_dir / KEY_FILE
    key = rotate_key_file(path)
    print(f"added key {key.id} (current) to {path}")
    return 0


def _list(settings: Settings) -> int:
    ring = load_key_ring(settings)
    for info in asyncio.run(ring.describe()):
        created = info.created_at.isoformat(timespec="seconds") if info.created_at else "-"
        print(f"{info.id}\t{created}\t{'current' if info.current else ''}".rstrip())
    return 0
