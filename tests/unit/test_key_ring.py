"""Key rings: CCM_CODEC_KEYS parsed with errors naming the entry, the dev key file owner-only,
rotation adding a current key and keeping the old, and ``ccm keys`` never printing a key."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest

from cli.main import main
from runtime.crypto.codec import KEY_ID, EncryptionCodec
from runtime.crypto.converter import NoKeys, load_key_ring
from runtime.crypto.keyfile import KEY_FILE, FileKeyRing, create_key_file, rotate_key_file
from runtime.crypto.keyring import KeyRingError, parse_keys
from runtime.settings import Settings
from tests.unit.test_payload_codec import plain

KEY_A = base64.b64encode(b"a" * 32).decode()
KEY_B = base64.b64encode(b"b" * 32).decode()


async def test_ccm_codec_keys_lists_keys_current_first() -> None:
    ring = parse_keys(f"k2={KEY_B}, k1={KEY_A}")
    assert (await ring.current()).id == "k2"
    assert (await ring.get("k1")).secret == b"a" * 32


@pytest.mark.parametrize(
    "spec, problem",
    [
        ("k1", "entry 1 is not id=base64key"),
        (f"k1={KEY_A},=abc", "entry 2 is not id=base64key"),
        ("k1=not*base64", "key 'k1' is not valid base64"),
        (f"k1={base64.b64encode(b'short').decode()}", "must be 32 bytes, got 5"),
        (f"k1={KEY_A},k1={KEY_B}", "duplicate key id"),
        (f"k 1={KEY_A}", "key id 'k 1'"),
    ],
)
def test_a_bad_ccm_codec_keys_says_which_entry_and_what_is_wrong(spec: str, problem: str) -> None:
    with pytest.raises(KeyRingError, match="CCM_CODEC_KEYS") as caught:
        parse_keys(spec)
    assert problem in str(caught.value)
    assert KEY_A not in str(caught.value)


def test_the_key_file_is_owner_only_and_a_second_start_keeps_the_first_key(tmp_path: Path) -> None:
    path = tmp_path / KEY_FILE
    assert create_key_file(path) is True
    first = path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert create_key_file(path) is False
    assert path.read_text() == first


async def test_rotation_makes_a_new_key_current_and_a_running_ring_follows(tmp_path: Path) -> None:
    path = tmp_path / KEY_FILE
    create_key_file(path)
    now = [100.0]
    ring = FileKeyRing(path, clock=lambda: now[0])
    codec = EncryptionCodec(ring)
    before = await ring.current()
    [sealed] = await codec.encode([plain()])
    added = rotate_key_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    now[0] += 0.5  # within the re-check interval the ring still seals with the key it read
    assert (await ring.current()).id == before.id
    now[0] += 0.5
    assert (await ring.current()).id == added.id != before.id
    assert await codec.decode([sealed]) == [plain()]
    assert (await ring.describe())[0].id == added.id


async def test_a_key_rotated_in_by_another_process_opens_at_once(tmp_path: Path) -> None:
    path = tmp_path / KEY_FILE
    create_key_file(path)
    stale = FileKeyRing(path, clock=lambda: 0.0)  # never re-checks the current key by itself
    added = rotate_key_file(path)
    [sealed] = await EncryptionCodec(FileKeyRing(path)).encode([plain()])
    assert sealed.metadata[KEY_ID].decode() == added.id
    assert await EncryptionCodec(stale).decode([sealed]) == [plain()]


def test_without_keys_a_worker_is_told_what_to_set(tmp_path: Path) -> None:
    with pytest.raises(NoKeys, match="CCM_CODEC_KEYS"):
        load_key_ring(Settings(data_dir=tmp_path))


def test_ccm_keys_rotate_then_list_shows_ids_and_dates_never_a_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CCM_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CCM_CODEC_KEYS", raising=False)
    assert main(["keys", "rotate"]) == 0
    assert main(["keys", "rotate"]) == 0
    assert main(["keys", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()[-2:]
    assert listed[0].endswith("\tcurrent") and not listed[1].endswith("current")
    secrets = [k["secret"] for k in json.loads((tmp_path / KEY_FILE).read_text())["keys"]]
    assert not any(s in "\n".join(listed) for s in secrets)


def test_ccm_keys_rotate_refuses_keys_set_in_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CCM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CCM_CODEC_KEYS", f"k1={KEY_A}")
    assert main(["keys", "rotate"]) == 2
    assert "CCM_CODEC_KEYS" in capsys.readouterr().err
    assert not (tmp_path / KEY_FILE).exists()
