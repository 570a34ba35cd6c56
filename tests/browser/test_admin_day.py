"""An admin's day (issue 17): the admin creates a finance officer, who sets their own password,
enrols TOTP from the QR page's secret and logs in again with a code (computed with pyotp, as the
phone would); another finance officer, enrolled too, confirms the granted role; the admin
deactivates a unit officer, whose open session ends at its next page. TOTP_REQUIRED_ROLES names
finance officers here, as production does."""
import re
import time

import pyotp
import pytest

from tests.auth.helpers import OWN, TEMPORARY
from tests.browser.pages import by_testid, login, open_nav
from tests.support import PASSWORD, ApiClient

pytestmark = pytest.mark.browser


def fresh_code(secret: str, steps_back: int = 0) -> str:
    """A code that stays valid for the next seconds: never in the last 3 s of its 30-s step."""
    if time.time() % 30 > 27:
        time.sleep(30 - time.time() % 30 + 0.2)
    return pyotp.TOTP(secret).at(time.time() - 30 * steps_back)


@pytest.fixture
def people(app, world):
    world.unit("STC", "Sở Tài chính")
    world.unit("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch")
    world.unit("STP", "Sở Tư pháp")
    world.user("quantri", "admin", full_name="Nguyễn Văn Quản")
    world.user("taichinh", "finance_officer", full_name="Trần Thị Tài")
    world.user("donvi", "unit_officer", "STP", full_name="Phạm Thu Pháp")
    # the finance officer on duty enrolled long ago (through the API, with the previous step's code)
    finance = ApiClient(app.test_client(), world.token("taichinh"))
    secret = finance.post("/api/v1/me/totp").get_json()["secret"]
    assert finance.post("/api/v1/me/totp/confirm", json={"code": fresh_code(secret, 1)}).status_code == 200
    saved = app.config["TOTP_REQUIRED_ROLES"]
    app.config["TOTP_REQUIRED_ROLES"] = "finance_officer"
    yield {"finance_secret": secret}
    app.config["TOTP_REQUIRED_ROLES"] = saved


def log_in_with_code(page, username, password, secret):
    page.goto("/login")
    page.fill("#f-username", username)
    page.fill("#f-password", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url("**/login/code")
    page.fill("#f-code", fresh_code(secret))
    page.click("form[action='/login/code'] button[type=submit]")
    page.wait_for_selector("[data-testid=whoami]")


def test_an_admins_day(people, browsing):
    admin, officer, newcomer, finance = (browsing.page() for _ in range(4))
    for page in (admin, officer, newcomer, finance):
        page.on("dialog", lambda dialog: dialog.accept())  # the forms' data-confirm questions

    login(admin, "quantri")
    assert admin.url.endswith("/work")  # Việc cần làm (issue 19); the users are in Quản trị ▾
    open_nav(admin, "Người dùng")
    admin.wait_for_url("**/users")
    login(officer, "donvi")
    assert officer.url.endswith("/work")

    # the admin creates a finance officer with a temporary password
    by_testid(admin, "new-user").click()
    admin.wait_for_url("**/users/new")
    admin.fill("#f-username", "taichinh2")
    admin.fill("#f-full_name", "Lê Thị Ngân")
    admin.select_option("#f-role", "finance_officer")
    admin.fill("#f-password", TEMPORARY)
    admin.click("[data-testid=user-form] button[type=submit]")
    admin.wait_for_url(re.compile(r"/users/\d+$"))
    state = by_testid(admin, "user-state").inner_text()
    assert "Vai trò chờ xác nhận" in state and "Mật khẩu tạm" in state

    # the newcomer logs in: first their own password, then the second factor
    login(newcomer, "taichinh2", TEMPORARY)
    assert newcomer.url.endswith("/account/password")
    assert by_testid(newcomer, "temporary-password").count() == 1
    newcomer.fill("#f-current_password", TEMPORARY)
    newcomer.fill("#f-new_password", OWN)
    newcomer.fill("#f-new_password_confirm", OWN)
    newcomer.click("[data-testid=password-form] button[type=submit]")
    newcomer.wait_for_url("**/account/totp")
    assert by_testid(newcomer, "totp-required").count() == 1
    by_testid(newcomer, "totp-start").click()
    newcomer.wait_for_selector("[data-testid=totp-qr]")
    qr = by_testid(newcomer, "totp-qr")
    assert qr.get_attribute("src").startswith("data:image/svg+xml") and qr.get_attribute("alt")
    assert newcomer.evaluate("document.querySelector('[data-testid=totp-qr]').naturalWidth") > 0
    secret = by_testid(newcomer, "totp-secret").inner_text().strip()
    newcomer.fill("#f-code", fresh_code(secret, 1))  # the previous step's: the login below uses this one's
    newcomer.click("[data-testid=totp-confirm-form] button[type=submit]")
    newcomer.wait_for_selector("[data-testid=recovery-codes]")
    assert by_testid(newcomer, "recovery-codes").locator("li").count() == 10
    newcomer.click("text=Tôi đã lưu các mã, tiếp tục")
    newcomer.wait_for_url("**/account")
    assert by_testid(newcomer, "account-restriction").get_attribute("data-reason") == "role_unconfirmed"

    # logged out, the newcomer comes back with the password and a code
    newcomer.click("form[action='/logout'] button[type=submit]")
    newcomer.wait_for_url("**/login")
    log_in_with_code(newcomer, "taichinh2", OWN, secret)
    assert newcomer.url.endswith("/account") and by_testid(newcomer, "role-pending").count() == 1

    # the finance officer on duty confirms the role
    log_in_with_code(finance, "taichinh", PASSWORD, people["finance_secret"])
    finance.goto("/role-grants")
    finance.click("[data-testid=role-grant][data-username=taichinh2] button[type=submit]")
    finance.wait_for_url("**/role-grants")
    assert finance.locator("[data-testid=role-grant][data-username=taichinh2]").count() == 0
    newcomer.goto("/")
    newcomer.wait_for_url("**/work")  # a finance officer's work now (issue 19)
    assert "Việc cần làm" in newcomer.locator("h1").first.inner_text()
    open_nav(newcomer, "Đề nghị chờ xử lý")
    newcomer.wait_for_url("**/finance")
    assert "Đề nghị chờ xử lý" in newcomer.locator("h1").first.inner_text()

    # the admin deactivates the unit officer: the open session ends at once
    admin.goto("/users?q=donvi")
    admin.click("[data-testid=user-row][data-username=donvi] a")
    admin.wait_for_url(re.compile(r"/users/\d+$"))
    by_testid(admin, "deactivate").click()
    admin.wait_for_selector("[data-testid=reactivate]")
    assert "Đã khoá" in by_testid(admin, "user-state").inner_text()
    officer.goto("/dashboard")
    officer.wait_for_url("**/login**")
    assert by_testid(officer, "whoami").count() == 0


def test_the_admin_edits_a_unit_and_a_suppliers_bank_account(people, browsing, app):
    from tests.commissions.builders import supplier
    created = supplier(ApiClient(app.test_client(), _token(app, "quantri")), kind="press")
    page = browsing.page()
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, "quantri")
    page.goto("/units")
    row = page.locator("[data-testid=unit-row][data-code=STP]")
    assert "Sở, ban, ngành" in row.inner_text()  # the kind by its Vietnamese name
    row.locator("a").click()
    page.wait_for_url("**/units/STP")
    page.fill("#f-contact_name", "Văn phòng Sở Tư pháp")
    page.click("[data-testid=unit-edit-form] button[type=submit]")
    page.wait_for_url("**/units")
    assert "Văn phòng Sở Tư pháp" in page.locator("[data-testid=unit-row][data-code=STP]").inner_text()
    page.goto(f"/suppliers/{created['id']}")
    page.fill("#f-bank_account", "1020 0000 1234")
    page.fill("#f-bank_name", "Ngân hàng TMCP Công Thương, chi nhánh Gia Lai")
    page.click("[data-testid=supplier-edit-form] button[type=submit]")
    page.wait_for_url("**/suppliers")
    assert "102000001234" in page.locator(f"[data-testid=supplier-row][data-tax-code='{created['tax_code']}']") \
        .inner_text()


def _token(app, username):
    from tests.support import World
    return World(app).token(username)
