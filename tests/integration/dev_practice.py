"""A synthetic practice on a real ``ccm dev`` (subprocess, as an operator runs it), ingested with
``ccm ingest``: the setting of the browser, PHI-scan and metadata tests.

The feed has a few refused lines carrying PHI, so the reject file has something to leak.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from events.upstream import PatientIdentified, UpstreamEvent
from runtime.clock import practice_today
from runtime.ports import free_ports
from upstream.synth import generate_feed, to_jsonl

CCM = str(Path(sys.executable).parent / "ccm")
START_BOUND_S = 240  # a bound on waiting for `ccm dev` to come up, not an expectation


@dataclass
class DevPractice:
    data_dir: Path
    env: dict[str, str]
    proc: subprocess.Popen[bytes]
    events: list[UpstreamEvent]
    ui_url: str
    codec_url: str
    temporal_address: str

    @property
    def token(self) -> str:
        return (self.data_dir / "codec-token").read_text().strip()

    @property
    def patients(self) -> list[PatientIdentified]:
        return [e for e in self.events if isinstance(e, PatientIdentified)]

    def logs(self) -> list[Path]:
        """Every log the stack and the CLI wrote: ccm dev's and ccm ingest's output, Temporal's."""
        names = ["dev.out", "dev.err", "ingest.out", "ingest.err", "temporal.log"]
        return [self.data_dir / name for name in names]

    def stop(self) -> None:
        """SIGTERM to ``ccm dev``, which stops the worker, then Temporal (flushing its SQLite
        file), then PostgreSQL; waits for it."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            self.proc.wait(timeout=120)


def refused_lines(patient: PatientIdentified) -> list[str]:
    """Lines ``ccm ingest`` must refuse, each carrying the patient's demographics."""
    demo = patient.demographics
    assert demo is not None and demo.name and demo.mbi and demo.birth_date
    bad_dx = patient.model_dump(mode="json") | {"event_id": "bad-1", "diagnoses": ["NOT-A-CODE"]}
    extra = patient.model_dump(mode="json") | {"event_id": "bad-2", "note": demo.name}
    return [
        json.dumps(bad_dx),
        json.dumps(extra),
        f'{{"type": "patient_identified", "demographics": {{"name": "{demo.name}", "mbi": ',
    ]


def start_practice(patients: int = 6, months: int = 2) -> Iterator[DevPractice]:
    """Brings up ``ccm dev``, ingests the feed, yields; stops and removes everything after."""
    data_dir = Path(tempfile.mkdtemp(prefix="ccm-codec-"))
    data_dir.chmod(0o755)  # PostgreSQL runs as its own user and must traverse it
    grpc, ui, codec = free_ports(3)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CCM_", "TEMPORAL_"))}
    env |= {"CCM_DATA_DIR": str(data_dir), "CCM_TEMPORAL_PORT": str(grpc)}
    env |= {"CCM_UI_PORT": str(ui), "CCM_CODEC_PORT": str(codec)}
    with (data_dir / "dev.out").open("wb") as out, (data_dir / "dev.err").open("wb") as err:
        proc = subprocess.Popen([CCM, "dev"], env=env, stdout=out, stderr=err)
    practice = DevPractice(
        data_dir, env, proc, [], f"http://127.0.0.1:{ui}", f"http://127.0.0.1:{codec}",
        f"127.0.0.1:{grpc}",
    )  # fmt: skip
    try:
        _wait_until_up(practice)
        practice.events = generate_feed(
            patients=patients, seed=11, end=practice_today("America/New_York"), months=months
        )
        _ingest(practice)
        yield practice
    finally:
        practice.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def _wait_until_up(practice: DevPractice) -> None:
    deadline = time.monotonic() + START_BOUND_S
    out = practice.data_dir / "dev.out"
    while "ccm dev is up" not in out.read_text():
        if practice.proc.poll() is not None or time.monotonic() > deadline:
            err = (practice.data_dir / "dev.err").read_text()[-3000:]
            raise AssertionError(f"ccm dev did not come up: {err}")
        time.sleep(0.2)


def _ingest(practice: DevPractice) -> None:
    feed = practice.data_dir / "feed.jsonl"
    lines = list(to_jsonl(practice.events)) + [
        f"{x}\n" for x in refused_lines(practice.patients[0])
    ]
    feed.write_text("".join(lines))
    d = practice.data_dir
    with (d / "ingest.out").open("wb") as out, (d / "ingest.err").open("wb") as err:
        done = subprocess.run(
            [CCM, "ingest", str(feed), "--reject-file", str(d / "rejects.jsonl")],
            env=practice.env, stdout=out, stderr=err, check=False, timeout=600,
        )  # fmt: skip
    assert done.returncode == 2, (d / "ingest.err").read_text()[-3000:]  # 2: lines were refused
    summary = json.loads((d / "ingest.out").read_text().splitlines()[-1])
    # ours, and any line of the feed the contract refuses
    assert summary["rejected"] >= 3 and summary["recorded"] > 0, summary
