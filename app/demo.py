"""A realistic demo province for fiscal year 2026: tỉnh Gia Lai as organised after the 2025 reforms.

Bình Định merged into Gia Lai on 1 July 2025 and district level was abolished (two-tier local
government: the province, then its phường and xã); the Sở Thông tin và Truyền thông merged into the
Sở Khoa học và Công nghệ, and its press-management role (the DIC of this service) went to the Sở Văn hóa,
Thể thao và Du lịch, whose code is the default DIC_UNIT_CODE. One user per role.
"""
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


def load_users():
    for username, full_name, role, unit_code in DEMO_USERS:
        auth_services.create_user(None, username=username, password=DEMO_PASSWORD,
                                  full_name=full_name, role=role, unit_code=unit_code)


def demo_logins() -> str:
    lines = [f"Tài khoản demo (mật khẩu chung: {DEMO_PASSWORD}):"]
    for username, full_name, role, unit_code in DEMO_USERS:
        lines.append(f"  {username:<10} {role:<16} {unit_code or '':<8} {full_name}")
    return "\n".join(lines)


def load_demo() -> str:
    if already_loaded():
        return "Cơ sở dữ liệu đã có dữ liệu: không nạp lại dữ liệu mẫu.\n" + demo_logins()
    load_units()
    load_users()
    for loader in registry().all_demo_loaders():
        loader()
    return "Đã nạp dữ liệu mẫu.\n" + demo_logins()
