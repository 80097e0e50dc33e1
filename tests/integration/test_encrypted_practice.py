"""A synthetic practice on a real ``ccm dev``, seen as an operator and as an attacker would see it.

In a real Chromium, the Temporal UI shows a patient's workflow input as ciphertext until the
operator signs in to the codec server, then decoded. What Temporal does not encrypt (ids, search
attributes, failure messages; summaries and current details are encrypted but shown to operators)
holds no PHI. And Temporal's SQLite file, every log and the reject file hold none of the feed's
names, MBIs or birth dates. The tests run in file order: the last one stops the stack.
"""

from __future__ import annotations

import re
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import async_playwright, expect

from runtime.binaries import temporal_cli
from tests.integration.browser import (
    UI_BOUND_MS,
    launch,
    open_workflow,
    sign_in,
    use_codec_with_credentials,
)
from tests.integration.dev_practice import DevPractice, start_practice
from tests.integration.phi_scan import hits, needles, scan_files, total
from tests.integration.unencrypted import unencrypted_metadata
from workflows.patient import workflow_id_for

pytestmark = pytest.mark.integration

INPUT = "[data-testid=input-and-result]"
NO_HITS = {"name": 0, "mbi": 0, "birth_date": 0}


@pytest.fixture(scope="module")
def practice() -> Iterator[DevPractice]:
    yield from start_practice()


async def test_the_ui_shows_ciphertext_until_the_operator_signs_in_then_the_decoded_input(
    practice: DevPractice, tmp_path: Path
) -> None:
    patient = practice.patients[0]
    async with async_playwright() as p:
        browser = await launch(p)
        try:
            page = await browser.new_page(viewport={"width": 1400, "height": 1100})
            await open_workflow(page, practice.ui_url, workflow_id_for(patient.patient_id))
            # Not signed in: the codec server answers 401; the UI says so and shows ciphertext.
            await page.wait_for_selector(
                "[data-testid=data-encoder-status-error]", timeout=UI_BOUND_MS
            )
            box = page.locator(INPUT)
            await expect(box).to_contain_text(re.compile("[A-Za-z0-9+/]{200}"), timeout=UI_BOUND_MS)
            encrypted = await box.inner_text()
            assert '"patient_id"' not in encrypted and "America/New_York" not in encrypted
            await page.screenshot(path=tmp_path / "ui-encrypted.png")

            await sign_in(page, practice.codec_url, practice.token)
            await open_workflow(page, practice.ui_url, workflow_id_for(patient.patient_id))
            await use_codec_with_credentials(page, practice.codec_url)
            await page.reload(wait_until="domcontentloaded")
            decoded = f'"patient_id": "{patient.patient_id}"'
            await expect(box).to_contain_text(decoded, timeout=UI_BOUND_MS)
            await expect(box).to_contain_text('"timezone": "America/New_York"')
            await page.screenshot(path=tmp_path / "ui-decoded.png")
        finally:
            await browser.close()


def test_the_temporal_cli_decodes_with_the_token_as_bearer(practice: DevPractice) -> None:
    patient = practice.patients[0]
    shown = subprocess.run(
        [
            temporal_cli(), "workflow", "show", "--workflow-id",
            workflow_id_for(patient.patient_id), "--address", practice.temporal_address,
            "--codec-endpoint", practice.codec_url, "--codec-auth", f"Bearer {practice.token}",
            "--output", "json",
        ],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert "YmluYXJ5L2VuY3J5cHRlZA==" not in shown.stdout  # base64 of binary/encrypted
    assert "anNvbi9wbGFpbg==" in shown.stdout  # json/plain: decoded


async def test_ids_search_attributes_summaries_details_and_failures_carry_no_phi(
    practice: DevPractice,
) -> None:
    metadata = await unencrypted_metadata(practice)
    assert metadata.runs >= len(practice.patients)
    assert metadata.summaries_encrypted  # Temporal stores activity summaries through the codec
    assert hits(metadata.blob, needles(practice.patients)) == NO_HITS


def test_no_name_mbi_or_birth_date_in_temporals_sqlite_file_the_logs_or_the_reject_file(
    practice: DevPractice,
) -> None:
    practice.stop()  # Temporal flushes its SQLite file on SIGTERM
    forms = needles(practice.patients)
    feed = practice.data_dir / "feed.jsonl"
    assert hits(feed.read_bytes(), forms)["mbi"] >= len(practice.patients)  # the scan finds PHI
    db = practice.data_dir / "temporal.db"
    assert b"ccm-patient-" in db.read_bytes()  # and the file holds the practice's workflows
    rejects = practice.data_dir / "rejects.jsonl"
    assert stat.S_IMODE(rejects.stat().st_mode) == 0o600
    assert len(rejects.read_text().splitlines()) >= 3
    files = [*sorted(practice.data_dir.glob("temporal.db*")), *practice.logs(), rejects]
    counts = scan_files(files, forms)
    print(f"PHI hits per file: {counts}")
    assert total(counts) == 0, counts
