"""Small helpers shared by the browser tests."""
from pathlib import Path

from tests.support import PASSWORD


def login(page, username, password=PASSWORD):
    page.goto("/login")
    page.fill("#f-username", username)
    page.fill("#f-password", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_selector("[data-testid=whoami]")


def logout(page):
    page.click("form[action='/logout'] button[type=submit]")
    page.wait_for_url("**/login")


def open_nav(page, label):
    """Follow the menu entry named `label`, as a person does: open the toggler on a phone, then the
    entry's menu ("Ngân sách ▾"), then click it."""
    page.wait_for_load_state("load")  # the styles decide whether the toggler shows: not before they apply
    toggler = page.locator("[data-testid=nav-toggler]")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
    entry = page.locator("nav a", has_text=label).first
    if not entry.is_visible():
        entry.locator("xpath=ancestor::li[contains(@class, 'dropdown')][1]/button").click()
    entry.click()


def by_testid(page, name):
    return page.locator(f"[data-testid={name}]")


# --- accessibility: axe-core (vendored in tests/data/axe-core, MPL-2.0) -------------------------

AXE_SOURCE = (Path(__file__).resolve().parents[1] / "data" / "axe-core" / "axe.min.js")
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")


def axe_violations(page) -> list[str]:
    """The WCAG 2.1 A/AA rules axe-core finds broken on the page as it is now, one line each with
    the first elements concerned. The script is evaluated through the browser's debugging protocol,
    which the page's Content-Security-Policy does not govern, so the page is checked as served."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, "
                           "resultTypes: ['violations']})", list(WCAG_TAGS))
    return [f"{page.url}: {violation['id']} ({violation['impact']}): {violation['help']} — "
            + "; ".join(" ".join(node["target"]) + f" [{' '.join(node.get('failureSummary', '').split())[26:200]}]"
                        for node in violation["nodes"][:4])
            for violation in result["violations"]]
