"""End-to-end fixtures: the real production server, real Chromium, one journey per test.

- ``portal_server`` (session): the prod build on SQLite with the demo data (see helpers.start_server),
  built once per test session and stopped with its whole process group at the end.
- ``viewport`` parametrizes a test over a phone (390x844) and a desktop (1280x800).
- ``context``/``page``: a fresh Dutch (``nl-NL``) browser context per test; ``make_context`` opens
  more (English, copied cookies, ...); every one is closed after the test.
- Every test under tests/e2e is marked ``e2e``, and fails when a running server logged a backend
  exception meanwhile (the browser only shows a toast for those). A failing test's report carries
  the tail of the server log.

Screenshots (not assertions) go to ``$SCREENSHOT_DIR`` when that is set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from .helpers import (
    _RUNNING,
    BACKEND_ERROR,
    CHROMIUM_ARGS,
    E2E_DIR,
    LOCALES,
    VIEWPORTS,
    Server,
    chromium_executable,
    new_page,
    start_server,
    stop_server,
)


@pytest.fixture(scope="session")
def portal_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app on SQLite with the demo data, one process (the default deployment)."""
    server = start_server("e2e", tmp_path_factory.mktemp("portal-e2e"))
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def base_url(portal_server: Server) -> str:
    return portal_server.base_url


# ---------------------------------------------------------------------------------------------
# pytest wiring
# ---------------------------------------------------------------------------------------------


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test under tests/e2e is an e2e test."""
    for item in items:
        if E2E_DIR in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    # (a server that fails to start says so itself, with its log, at setup)
    if report.failed and report.when != "setup" and E2E_DIR in Path(str(item.fspath)).resolve().parents:
        for server in _RUNNING:
            report.sections.append((f"{server.name} server log (tail, {server.log_path})", server.log_tail(60)))
    return report


@pytest.fixture(autouse=True)
def _no_backend_exceptions(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the test when a running server logged an exception while it ran (a toast is not enough)."""
    if E2E_DIR not in Path(str(request.node.fspath)).resolve().parents or request.node.get_closest_marker("logs_an_error"):
        yield
        return
    offsets = {id(s): s.log_size() for s in _RUNNING}
    yield
    for server in list(_RUNNING):
        new = server.log_text(offsets.get(id(server), 0))
        found = BACKEND_ERROR.search(new)
        if found:
            excerpt = new[found.start() : found.start() + 4000]
            pytest.fail(f"the {server.name} server logged an exception during this test:\n{excerpt}", pytrace=False)


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
    expect.set_options(timeout=15_000)
    yield browser
    browser.close()


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    """Runs the test once on a phone and once on a desktop: ``"phone"`` or ``"desktop"``."""
    return request.param


@pytest.fixture
def make_context(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """Open browser contexts: ``make_context(viewport="phone", lang="en")``; all closed afterwards."""
    opened: list[BrowserContext] = []

    def make(viewport: str = "desktop", lang: str = "nl", **kwargs) -> BrowserContext:
        context = browser.new_context(viewport=VIEWPORTS[viewport], locale=LOCALES[lang], **kwargs)
        context.set_default_timeout(20_000)
        opened.append(context)
        return context

    yield make
    for context in opened:
        try:
            context.close()
        except Exception:  # noqa: BLE001 - a crashed context must not hide the test's own failure
            pass


@pytest.fixture
def context(make_context, viewport: str) -> BrowserContext:
    return make_context(viewport=viewport, lang="nl")


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return new_page(context)
