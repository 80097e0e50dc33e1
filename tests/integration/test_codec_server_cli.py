"""``ccm codec-server`` as an operator runs it beside a UI: bad flags named, the token file made
owner-only, calls without the token refused, Ctrl-C a clean stop."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from runtime.crypto.keyfile import KEY_FILE, create_key_file

pytestmark = pytest.mark.integration

CCM = str(Path(sys.executable).parent / "ccm")


def env_for(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CCM_")}
    return env | {"CCM_DATA_DIR": str(data_dir)}


@pytest.mark.parametrize(
    "origin, problem",
    [("ftp://ui.example.org", "http or https"), ("https://ui.example.org/x", "no path")],
)
def test_a_bad_origin_is_named_with_what_is_wrong(
    tmp_path: Path, origin: str, problem: str
) -> None:
    done = subprocess.run(
        [CCM, "codec-server", "--origin", origin],
        env=env_for(tmp_path), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert f"--origin {origin!r}" in done.stderr and problem in done.stderr
    assert "Traceback" not in done.stderr


def test_without_keys_it_says_what_to_set(tmp_path: Path) -> None:
    done = subprocess.run(
        [CCM, "codec-server", "--port", "0"],
        env=env_for(tmp_path), capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2 and "CCM_CODEC_KEYS" in done.stderr


def test_it_serves_only_holders_of_the_token_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    create_key_file(tmp_path / KEY_FILE)
    proc = subprocess.Popen(
        [CCM, "codec-server", "--port", "0", "--origin", "https://ui.example.org"],
        env=env_for(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        banner = proc.stdout.readline()
        assert "for https://ui.example.org" in banner, proc.stderr
        url = banner.split()[3]
        token = tmp_path / "codec-token"
        assert stat.S_IMODE(token.stat().st_mode) == 0o600
        request = urllib.request.Request(f"{url}/decode", data=b'{"payloads": []}', method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert refused.value.code == 401
        request.add_header("Authorization", f"Bearer {token.read_text().strip()}")
        with urllib.request.urlopen(request, timeout=30) as resp:
            assert resp.status == 200 and resp.read() == b'{"payloads": []}'
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0
