"""``ccm patients link --system S --value V --patient P``: another system's identifier → a patient.

HL7v2 ADT messages are matched to patients only through these links (PID-3's assigning
authority as ``--system``, the MRN as ``--value``), never by name. The value is never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from cli.outage import OUTAGES, outage_exit
from cli.policy import opaque_id
from cli.pools import database_pool
from runtime.settings import Settings
from upstream.identifiers import IdentifierTaken, link

MAX_TEXT = 200


def _bounded(text: str) -> str:
    if not 1 <= len(text) <= MAX_TEXT or not text.isprintable():
        raise argparse.ArgumentTypeError(f"must be 1-{MAX_TEXT} printable characters")
    return text


def add_link_parser(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = actions.add_parser("link", help="link another system's patient identifier to a patient")
    system = "HL7: PID-3's assigning authority (e.g. HOSP); FHIR: the identifier system"
    p.add_argument("--system", type=_bounded, required=True, help=system)
    p.add_argument("--value", type=_bounded, required=True, help="the identifier (e.g. the MRN)")
    p.add_argument("--patient", type=opaque_id, required=True, help="the engine's patient id")
    p.add_argument("--by", type=opaque_id, help="who links it (kept with the link)")
    p.set_defaults(handler=run_link)


def run_link(args: argparse.Namespace) -> int:
    """Exit 0 linked (or already linked to that patient), 1 linked to another patient, 75 when
    the database cannot be reached."""
    try:
        outcome = asyncio.run(_link(Settings.from_env(), args))
    except IdentifierTaken as exc:
        print(f"ccm patients link: {exc}; nothing changed", file=sys.stderr)
        return 1
    except OUTAGES as exc:
        return outage_exit("patients link", exc)
    print(json.dumps({"system": args.system, "patient": args.patient, "result": outcome}))
    return 0


async def _link(settings: Settings, args: argparse.Namespace) -> str:
    async with database_pool(settings, "app") as pool:
        return await link(pool, args.system, args.value, args.patient, args.by)
