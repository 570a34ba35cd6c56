"""Browser tests: Debian's chromium driven by Playwright against the app served in a thread.

Never runs `playwright install`: it uses /usr/bin/chromium through `executable_path`. Without that
binary the tests are skipped (or fail when CI=true, where it must be present).
"""
import os
import re
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TIMEOUT_MS = 15_000


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def _playwright():
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} không có: cài gói Debian `chromium` để chạy kiểm thử trình duyệt."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright
    manager = sync_playwright().start()
    yield manager
    manager.stop()


@pytest.fixture(scope="session")
def browser(_playwright):
    instance = _playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield instance
    instance.close()


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


class Browsing:
    """Opens contexts (one per person) on the live server; screenshots them all if the test fails."""

    def __init__(self, browser, base_url):
        self.browser, self.base_url, self.contexts = browser, base_url, []

    def context(self, **kwargs):
        context = self.browser.new_context(base_url=self.base_url, locale="vi-VN",
                                           viewport={"width": 1366, "height": 900}, **kwargs)
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        return context

    def page(self, **kwargs):
        return self.context(**kwargs).new_page()

    def close(self, failed_name=None):
        for index, context in enumerate(self.contexts):
            if failed_name:
                for page_index, page in enumerate(context.pages):
                    try:
                        ARTIFACTS.mkdir(exist_ok=True)
                        page.screenshot(path=str(ARTIFACTS / f"FAILED-{failed_name}-{index}-{page_index}.png"),
                                        full_page=True)
                    except Exception:  # noqa: BLE001 - a screenshot must never hide the failure
                        pass
            context.close()


@pytest.fixture
def browsing(request, browser, live_server):
    session = Browsing(browser, live_server.url)
    yield session
    report = getattr(request.node, "rep_call", None)
    failed = report is not None and report.failed
    session.close(re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name) if failed else None)


@pytest.fixture
def page(browsing):
    return browsing.page()
