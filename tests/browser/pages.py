"""Small helpers shared by the browser tests."""
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


def by_testid(page, name):
    return page.locator(f"[data-testid={name}]")
