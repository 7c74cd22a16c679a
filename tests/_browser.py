"""The workbench in a real browser (issue 18 point 4): Debian's Chromium (``/usr/bin/chromium``,
installed by ``.ci/run``) driven by Playwright's Python package — no browser download — against
the app served by uvicorn in a background thread on a free port, over the small campaign of
``tests/pages_world.py`` (items in several states; a unit's clerk, another unit's clerk, the
office) plus an operator.

Without Chromium (or Playwright) the browser tests skip with the reason, except under ``CI=true``,
where they fail: CI must run them. Screenshots go to ``test-artifacts/screenshots/`` at the
top of the checkout; accessibility is checked with axe-core (the ``axe.min.js`` the
``axe-playwright-python`` package ships), injected into the page.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from zhenggai.adapters.web import WebSettings, create_app
from zhenggai.engine import NewAccount

from .pages_world import KEY, World, build

CHROMIUM = Path("/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() == "true"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
#: Chromium without a sandbox (containers), GPU, QUIC or any call home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Impacts that fail the accessibility check.
BLOCKING = ("serious", "critical")


def require_browser() -> None:
    """Skip the calling fixture where Chromium or Playwright is missing (fail under CI)."""
    reason = None
    if not CHROMIUM.exists():
        reason = (
            f"{CHROMIUM} not installed (apt-get install --no-install-recommends chromium chromium-driver)"
        )
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "playwright not installed (pip install '.[test]')"
    if reason is not None:
        if IN_CI:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Served:
    """The app on ``http://127.0.0.1:{port}``, served by uvicorn in a daemon thread."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.port = free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off", ws="none", http="h11"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="uvicorn", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@dataclass
class Site:
    """The campaign, the server, and the browser the tests open contexts in."""

    world: World
    served: Served
    browser: Any

    @property
    def url(self) -> str:
        return self.served.url

    def page(self) -> Any:
        """A page in a fresh context (no cookies), Chinese, a laptop's window."""
        context = self.browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        return context.new_page()

    def sign_in(self, username: str, password: str | None = None) -> Any:
        """A page signed in as ``username`` (on its home page)."""
        page = self.page()
        page.goto(f"{self.url}/login")
        page.fill("#username", username)
        page.fill("#password", password or self.world.passwords[username])
        page.click("button[type=submit]")
        page.wait_for_load_state()
        assert "/login" not in page.url, page.content()
        return page


def start(tmp: Path) -> Iterator[Site]:
    """The whole setup for one test module: world, operator account, server, browser."""
    require_browser()
    from playwright.sync_api import sync_playwright

    world = build(tmp)
    _, password = world.accounts.add(KEY, NewAccount("admin", "吴运维", ("operator", "leading_group_office")))
    world.passwords["admin"] = password
    served = Served(create_app(world.engine, WebSettings(KEY)))
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                yield Site(world, served, browser)
            finally:
                browser.close()
    finally:
        served.stop()
        world.engine.dispose()


def screenshot(page: Any, name: str) -> Path:
    """The whole page as ``test-artifacts/screenshots/{name}.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations of impact serious or critical on the page as it is now."""
    import axe_playwright_python

    page.add_script_tag(path=str(Path(axe_playwright_python.__file__).parent / "axe.min.js"))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results["violations"]
        if v["impact"] in BLOCKING
    ]


__all__ = ["SCREENSHOTS", "Site", "axe_violations", "screenshot", "start"]
