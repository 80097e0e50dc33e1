"""Chromium from the Debian registry, driven by Playwright (no browser download), and the steps an
operator takes in the Temporal Web UI to decode payloads through the codec server."""

from __future__ import annotations

from playwright.async_api import Browser, Page, Playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
UI_BOUND_MS = 60_000  # a bound on the UI rendering, not an expectation


async def launch(p: Playwright) -> Browser:
    return await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)


async def open_workflow(page: Page, ui_url: str, workflow_id: str) -> None:
    """The workflow's page; it never finishes loading (the UI long-polls history), so wait for
    the DOM only and then for what the test looks for."""
    url = f"{ui_url}/namespaces/default/workflows/{workflow_id}"
    await page.goto(url, wait_until="domcontentloaded", timeout=UI_BOUND_MS)


async def sign_in(page: Page, codec_url: str, token: str) -> None:
    """The codec server's /login: the browser keeps the token as an HttpOnly cookie."""
    await page.goto(f"{codec_url}/login", timeout=UI_BOUND_MS)
    await page.fill("input[name=token]", token)
    await page.click("button[type=submit]")
    await page.wait_for_selector("text=This browser is signed in", timeout=UI_BOUND_MS)


async def use_codec_with_credentials(page: Page, codec_url: str) -> None:
    """The UI's Codec Server dialog: this browser's endpoint, cross-origin credentials on."""
    await page.click("[data-testid=data-encoder-status-error]", timeout=UI_BOUND_MS)
    await page.click("[data-testid=use-local-endpoint-input]", force=True)
    await page.fill("#data-encoder-endpoint-input", codec_url)
    await page.click("[data-testid=data-encoder-include-credentials]", force=True)
    await page.get_by_role("button", name="Apply").click()
