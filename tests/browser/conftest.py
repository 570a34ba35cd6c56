"""Browser tests: Debian's chromium driven by Playwright against the app served in a thread.

Never runs `playwright install`: it uses /usr/bin/chromium through `executable_path`. Without that
binary the tests are skipped (or fail when CI=true, where it must be present).

Every test fails if chromium reports a Content-Security-Policy violation or an uncaught script error
on any of its pages: the policy allows no inline script or style, and a page that still needs one
is broken for its users. It also fails if axe-core finds a WCAG 2.1 A or AA rule broken on a page it
visited: when the test ends, every address its pages went to is opened again in the same browser
context (the same login) and checked.
"""
import os
import re
from pathlib import Path

import pytest

from tests.browser.pages import axe_violations

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TIMEOUT_MS = 15_000
CSP_MARKERS = ("Content Security Policy", "Refused to")
NOT_PAGES = re.compile(r"\.(pdf|csv|xlsx|json)(\?|$)|[?&]download=|^about:|/lang/")


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
        self.problems = []  # CSP violations and uncaught script errors, as chromium reported them
        self.visited = {}   # context -> the addresses its pages went to, in order, once each

    def context(self, **kwargs):
        options = {"locale": "vi-VN", "viewport": {"width": 1366, "height": 900}, **kwargs}
        context = self.browser.new_context(base_url=self.base_url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("console", self._console)
        context.on("weberror", lambda error: self.problems.append(f"script error: {error.error}"))
        context.on("page", lambda page: self._watch(context, page))
        self.contexts.append(context)
        self.visited[context] = {}
        return context

    def _watch(self, context, page):
        def navigated(frame):
            if frame == page.main_frame and not NOT_PAGES.search(frame.url):
                self.visited[context].setdefault(frame.url, None)
        page.on("framenavigated", navigated)

    def accessibility_problems(self) -> list[str]:
        """axe-core's findings on every page the test visited, each opened again in its context."""
        problems = []
        for context, addresses in self.visited.items():
            checker = context.new_page()
            for address in list(addresses):
                try:
                    checker.goto(address)
                except Exception:  # noqa: BLE001 - a download or a page gone since: nothing to check
                    continue
                problems.extend(axe_violations(checker))
            checker.close()
        return problems

    def _console(self, message):
        if any(marker in message.text for marker in CSP_MARKERS):
            where = message.page.url if message.page else "?"
            self.problems.append(f"{where}: {message.text}")

    def take_problems(self):
        """What was reported so far (and forget it); waits for chromium to deliver pending messages."""
        for context in self.contexts:
            for page in context.pages:
                try:
                    page.evaluate("0")
                except Exception:  # noqa: BLE001 - a page that is navigating has nothing more to say
                    pass
        problems, self.problems = self.problems, []
        return problems

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
    problems = [] if failed else session.take_problems() + session.accessibility_problems()
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    session.close(name if failed or problems else None)
    if problems:
        pytest.fail("chromium reported problems on the pages:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def page(browsing):
    return browsing.page()
