"""A realistic demo province for the current fiscal year: tỉnh Gia Lai as organised after the 2025 reforms.

Bình Định merged into Gia Lai on 1 July 2025 and district level was abolished (two-tier local
government: the province, then its phường and xã); the Sở Thông tin và Truyền thông merged into the
Sở Khoa học và Công nghệ, and its press-management role (the DIC of this service) went to the Sở Văn hóa,
Thể thao và Du lịch, whose code is the default DIC_UNIT_CODE. One user per role, and one officer of
every other unit, whose year of activity commissions/expenditures/demo_province.py makes.
"""
from contextlib import contextmanager

import sqlalchemy as sa

from app.auth import services as auth_services
from app.auth.models import User
from app.core.registry import registry
from app.extensions import db
from app.units import services as unit_services

DEMO_PASSWORD = "demo-matkhau-2026"
EMAIL_DOMAIN = "gialai.gov.vn"

DEPARTMENTS = [
    ("STC", "Sở Tài chính"),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch"),
    ("SKHCN", "Sở Khoa học và Công nghệ"),
    ("STP", "Sở Tư pháp"),
    ("SNV", "Sở Nội vụ"),
    ("SYT", "Sở Y tế"),
    ("SGDDT", "Sở Giáo dục và Đào tạo"),
    ("SNNMT", "Sở Nông nghiệp và Môi trường"),
    ("SXD", "Sở Xây dựng"),
    ("SCT", "Sở Công Thương"),
    ("SDTTG", "Sở Dân tộc và Tôn giáo"),
    ("VPUBND", "Văn phòng UBND tỉnh"),
]
LOCAL_GOVERNMENTS = [  # communes and wards since 1 July 2025; no huyện, thị xã or thành phố thuộc tỉnh
    ("QUYNHON", "UBND phường Quy Nhơn"),
    ("QUYNHONNAM", "UBND phường Quy Nhơn Nam"),
    ("QUYNHONBAC", "UBND phường Quy Nhơn Bắc"),
    ("ANNHON", "UBND phường An Nhơn"),
    ("HOAINHON", "UBND phường Hoài Nhơn"),
    ("PLEIKU", "UBND phường Pleiku"),
    ("ANKHE", "UBND phường An Khê"),
    ("TUYPHUOC", "UBND xã Tuy Phước"),
    ("PHUCAT", "UBND xã Phù Cát"),
    ("PHUMY", "UBND xã Phù Mỹ"),
    ("TAYSON", "UBND xã Tây Sơn"),
    ("VANCANH", "UBND xã Vân Canh"),
    ("DIENHONG", "UBND phường Diên Hồng"),
    ("CHUSE", "UBND xã Chư Sê"),
]
CENTRAL_AGENCIES = [
    ("THUE", "Thuế tỉnh Gia Lai"),
    # The treasury is organised by region since March 2025; check the region's number before real use.
    ("KBNN", "Kho bạc Nhà nước khu vực XIV"),
    ("BHXH", "Bảo hiểm xã hội tỉnh Gia Lai"),
    ("CAT", "Công an tỉnh Gia Lai"),
]

# What the Treasury's forms print about the units the demo spends for (example values); Sở Tư pháp
# is left without its Treasury account, so that the demo shows a document saying what is missing.
TREASURY = "Kho bạc Nhà nước khu vực XIV"
UNIT_PAPERWORK = {
    "SVHTTDL": {"chapter_code": "423", "address": "Số 2 Hùng Vương, phường Pleiku, tỉnh Gia Lai",
                "treasury_account": "9523.2.1055123", "treasury_name": TREASURY,
                "head_name": "Nguyễn Văn Hiếu", "accountant_name": "Trần Thị Kế"},
    "STP": {"chapter_code": "418", "address": "Số 17 Trần Phú, phường Quy Nhơn, tỉnh Gia Lai",
            "treasury_name": TREASURY, "head_name": "Lê Thị Tư", "accountant_name": "Phan Văn Toán"},
    "ANNHON": {"chapter_code": "805", "address": "Số 01 Trần Phú, phường An Nhơn, tỉnh Gia Lai",
               "treasury_account": "9523.2.1068042", "treasury_name": TREASURY,
               "head_name": "Võ Đình Nhơn", "accountant_name": "Huỳnh Thị Thu"},
}

DEMO_USERS = [
    # username, full name, role, unit
    ("quantri", "Nguyễn Văn Quản", "admin", None),
    ("taichinh", "Trần Thị Tài", "finance_officer", "STC"),
    ("sovhttdl", "Lê Minh Thông", "dic_officer", "SVHTTDL"),
    ("donvi", "Phạm Thu Pháp", "unit_officer", "STP"),
    ("annhon", "Võ Văn Nhơn", "unit_officer", "ANNHON"),
    ("kiemtoan", "Đặng Quốc Kiểm", "auditor", None),
]
# Every other unit but finance has one officer too, named by its code in lower case (syt, pleiku …),
# with the same password: the province's year of activity (commissions/expenditures/demo_province.py)
# is their work. Not in DEMO_USERS, which the pages' crawls walk one by one.
OFFICER_FAMILIES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
                    "Dương", "Lý", "Rơ Châm", "Siu", "Ksor", "Đinh")
OFFICER_GIVEN = ("Thị Hoa", "Văn Hùng", "Thị Lan", "Minh Tuấn", "Thị Hằng", "Quốc Bảo", "Thị Mai", "Văn Nam",
                 "Thị Thu", "Đức Anh", "Thị Ngọc", "Văn Long", "Thị Yến", "Hữu Phước", "H'Nhi", "Văn Khánh")


def unit_officers() -> list[tuple[str, str, str, str]]:
    """(username, full name, role, unit) of the officer of every unit that has none in DEMO_USERS."""
    taken = {unit for _, _, _, unit in DEMO_USERS if unit}
    codes = [code for rows in (DEPARTMENTS, LOCAL_GOVERNMENTS, CENTRAL_AGENCIES) for code, _ in rows
             if code not in taken]
    names = [f"{OFFICER_FAMILIES[i % len(OFFICER_FAMILIES)]} {OFFICER_GIVEN[(i * 5) % len(OFFICER_GIVEN)]}"
             for i in range(len(codes))]
    return [(code.lower(), name, "unit_officer", code) for code, name in zip(codes, names, strict=True)]


def already_loaded() -> bool:
    return db.session.execute(sa.select(User.id).limit(1)).first() is not None


def load_units():
    for kind, rows in (("department", DEPARTMENTS), ("local_government", LOCAL_GOVERNMENTS),
                       ("central_agency", CENTRAL_AGENCIES)):
        for code, name in rows:
            unit_services.create_unit(None, code=code, name=name, kind=kind,
                                      contact_name="Bộ phận truyền thông chính sách",
                                      contact_email=f"truyenthong.{code.lower()}@{EMAIL_DOMAIN}",
                                      **UNIT_PAPERWORK.get(code, {}))


@contextmanager
def one_hash_for_the_shared_password():
    """Hash the demo's one published password once, not once per account (each costs ~0.4 s at the
    development cost, and the demo makes ~30): every account still gets a real hash, by the service."""
    hashed = auth_services.hash_password(DEMO_PASSWORD)
    original = auth_services.hash_password
    auth_services.hash_password = lambda password: hashed if password == DEMO_PASSWORD else original(password)
    try:
        yield
    finally:
        auth_services.hash_password = original


def load_users():
    with one_hash_for_the_shared_password():
        for username, full_name, role, unit_code in DEMO_USERS + unit_officers():
            auth_services.create_user(None, username=username, password=DEMO_PASSWORD,
                                      full_name=full_name, role=role, unit_code=unit_code)


def demo_logins() -> str:
    lines = [f"Tài khoản demo (mật khẩu chung: {DEMO_PASSWORD}):"]
    for username, full_name, role, unit_code in DEMO_USERS:
        lines.append(f"  {username:<10} {role:<16} {unit_code or '':<8} {full_name}")
    lines.append(f"  … và {len(unit_officers())} cán bộ của các đơn vị khác: tên đăng nhập là mã đơn vị viết thường "
                 "(syt, pleiku, quynhon …)")
    return "\n".join(lines)


def load_demo() -> str:
    if already_loaded():
        return "Cơ sở dữ liệu đã có dữ liệu: không nạp lại dữ liệu mẫu.\n" + demo_logins()
    load_units()
    load_users()
    for loader in registry().all_demo_loaders():
        loader()
    return "Đã nạp dữ liệu mẫu.\n" + demo_logins()
