"""A realistic demo province: Bình Định's units as in the 2022 letter, one user per role."""
import sqlalchemy as sa

from app.auth import services as auth_services
from app.auth.models import User
from app.core.registry import registry
from app.extensions import db
from app.units import services as unit_services

DEMO_PASSWORD = "demo-matkhau-2026"

DEPARTMENTS = [
    ("STC", "Sở Tài chính"),
    ("STTTT", "Sở Thông tin và Truyền thông"),
    ("STP", "Sở Tư pháp"),
    ("SKHDT", "Sở Kế hoạch và Đầu tư"),
    ("SYT", "Sở Y tế"),
    ("SGDDT", "Sở Giáo dục và Đào tạo"),
    ("SNNPTNT", "Sở Nông nghiệp và Phát triển nông thôn"),
    ("SVHTT", "Sở Văn hóa và Thể thao"),
    ("SLDTBXH", "Sở Lao động - Thương binh và Xã hội"),
    ("VPUBND", "Văn phòng UBND tỉnh"),
]
LOCAL_GOVERNMENTS = [
    ("QUYNHON", "UBND thành phố Quy Nhơn"),
    ("ANNHON", "UBND thị xã An Nhơn"),
    ("HOAINHON", "UBND thị xã Hoài Nhơn"),
    ("TUYPHUOC", "UBND huyện Tuy Phước"),
    ("PHUCAT", "UBND huyện Phù Cát"),
    ("PHUMY", "UBND huyện Phù Mỹ"),
    ("TAYSON", "UBND huyện Tây Sơn"),
    ("HOAIAN", "UBND huyện Hoài Ân"),
    ("ANLAO", "UBND huyện An Lão"),
    ("VANCANH", "UBND huyện Vân Canh"),
    ("VINHTHANH", "UBND huyện Vĩnh Thạnh"),
]
CENTRAL_AGENCIES = [
    ("CTBD", "Cục Thuế tỉnh Bình Định"),
    ("KBNN", "Kho bạc Nhà nước Bình Định"),
    ("BHXH", "Bảo hiểm xã hội tỉnh Bình Định"),
    ("NHNN", "Ngân hàng Nhà nước Chi nhánh Bình Định"),
]

DEMO_USERS = [
    # username, full name, role, unit
    ("quantri", "Nguyễn Văn Quản", "admin", None),
    ("taichinh", "Trần Thị Tài", "finance_officer", "STC"),
    ("sotttt", "Lê Minh Thông", "dic_officer", "STTTT"),
    ("donvi", "Phạm Thu Pháp", "unit_officer", "STP"),
    ("huyen", "Võ Văn Nhơn", "unit_officer", "ANNHON"),
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
                                      contact_email=f"truyenthong.{code.lower()}@binhdinh.gov.vn")


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
    for loader in registry().demo_loaders:
        loader()
    return "Đã nạp dữ liệu mẫu.\n" + demo_logins()
