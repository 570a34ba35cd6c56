"""Fill a fresh database with a province-scale year of spending, fast (DESIGN §10). A script.

    .venv/bin/python benchmarks/generate_province.py URL [--expenditures 1000000] [--year 2026]
                                                     [--seed 2026] [--check]

URL is a SQLite file (`sqlite:////tmp/pcb.sqlite`) or a PostgreSQL database
(`postgresql://postgres@127.0.0.1:5432/pcb_bench`) that holds no province yet; the schema is built
with the real migrations (`flask db upgrade`). Rows are not made through the API or the services:
they are planned in Python and written in batches with PostgreSQL COPY (psycopg) or SQLite
executemany through SQLAlchemy's connection, so a million expenditures take minutes, not hours.

What it writes, for one fiscal year:
- about 100 units of tỉnh Gia Lai (departments, central agencies, wards and communes after the 2025
  reforms; commune names beyond app/demo.py are illustrative), an officer per unit (the DIC a
  dic_officer), a finance officer, an auditor and an admin, all with one password hash;
- suppliers of every kind with well-formed tax codes (10 digits, some branches 10-3);
- three envelopes with an initial decision and a supplement; one approved funding request per unit
  whose lines cover its allocations; allocations per unit and category (press and IT monitoring for
  the DIC alone);
- commissions (a few proposed or approved, most signed, a third closed) with deliverables planned,
  delivered, accepted (accepted_value = accepted quantity × unit price) or rejected;
- expenditures of every kind: advances within the commission's limit, payments linked to accepted
  deliverables and applying the outstanding advance, recoveries (a closed commission has none left
  outstanding), direct spending on the direct categories, and reversals: a new entry of the same kind
  with reversal_of_id, the original marked reversed; most direct entries have a document row (the
  scanned invoice; only the row: there is no file behind it in the upload folder).

Every balance is the sum of the entries it summarises, as the guarded UPDATEs would have left it, so
`flask ledger check` (`check_balances()`) finds nothing; allocations are sized on their peak use, so
every CHECK held at every step of the story too. Numbers follow `next_number` (CT-YYYY-NNNN, DH-, DN-)
and the counters in number_sequences are moved on, so the service keeps numbering after the load;
vouchers are unique per unit. No audit entries are written for the bulk rows.

`--check` then recomputes the ledger (`check_balances()` must be []), and posts and reverses one entry
through the services in a transaction it rolls back, to show the service carries on from the data.
Prints the rows written and rows/s.
"""
import argparse
import os
import random
import sys
import tempfile
import time
import unicodedata
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BATCH = 20_000          # rows buffered before a flush
COMMIT_EVERY = 200_000  # rows between commits (SQLite's WAL stays bounded)
PASSWORD = "benchmark-matkhau-2026"
COMMISSION_SHARE = 0.6  # of the expenditures: advances, payments, recoveries of commissions
REVERSED_SHARE = 0.01   # entries reversed (each adds its reversal)
DOCUMENTED_SHARE = 0.97  # direct entries with their invoice attached (rows only: no file is stored)
MILLION = 1_000_000

ENVELOPES = (("NKP-TTCS", "Kinh phí tuyên truyền, phổ biến chính sách"),
             ("NKP-BAOCHI", "Kinh phí đặt hàng báo chí"),
             ("NKP-CNTT", "Kinh phí dịch vụ rà quét, phân tích thông tin trên mạng"))
ENVELOPE_OF = {"press": "NKP-BAOCHI", "it_monitoring": "NKP-CNTT", "training": "NKP-TTCS",
               "operations": "NKP-TTCS", "other": "NKP-TTCS"}
UNIT_CATEGORIES = ("training", "operations", "other")
DIC_CATEGORIES = ("press", "it_monitoring", "training", "operations", "other")
COMMISSIONED = {"press": "press", "it_monitoring": "it_service", "training": "training", "other": "other"}

# Wards and communes beyond app/demo.py's: names of places of Gia Lai and the former Bình Định.
MORE_LOCALITIES = (
    "phường Ayun Pa", "phường Bình Định", "phường Bồng Sơn", "phường Tam Quan", "phường Hội Phú",
    "phường Diên Hồng", "phường Thống Nhất", "phường An Phú", "phường Đống Đa", "phường Nhơn Bình",
    "xã Ia Grai", "xã Chư Păh", "xã Chư Prông", "xã Chư Sê", "xã Chư Pưh", "xã Đak Đoa", "xã Mang Yang",
    "xã Kbang", "xã Kông Chro", "xã Đak Pơ", "xã Ia Pa", "xã Krông Pa", "xã Phú Thiện", "xã Đức Cơ",
    "xã Hoài Ân", "xã An Lão", "xã Vĩnh Thạnh", "xã Ia Kha", "xã Ia Hrung", "xã Ia Ly", "xã Ia Dom",
    "xã Ia Chia", "xã Ia Băng", "xã Ia Tôr", "xã Ia Boòng", "xã Ia Lâu", "xã Ia Mơ", "xã Ia Phang",
    "xã Ia Le", "xã Ia Hrú", "xã Al Bá", "xã Bờ Ngoong", "xã Kon Gang", "xã Hà Tam", "xã Sơ Pai",
    "xã Tơ Tung", "xã Đak Rong", "xã Kông Bơ La", "xã Ya Hội", "xã Chơ Long", "xã Kông Yang",
    "xã Lơ Pang", "xã Kon Thụp", "xã Đak Sơmei", "xã Hra", "xã Ayun", "xã Glar", "xã Nam Yang",
    "xã Kim Sơn", "xã Ân Hảo", "xã Ân Tường", "xã Vĩnh Sơn", "xã Vĩnh Thịnh", "xã Vĩnh Quang",
    "xã Canh Liên", "xã Canh Vinh", "xã Bình Hiệp", "xã Bình Khê", "xã Cát Tiến", "xã Đề Gi",
    "xã Hòa Hội", "xã Ngô Mây")
TOPICS = ("Luật Đất đai 2024", "chuyển đổi số", "cải cách hành chính", "phòng chống thiên tai",
          "an toàn giao thông", "bảo hiểm xã hội tự nguyện", "xây dựng nông thôn mới",
          "phòng chống ma túy", "bình đẳng giới", "sắp xếp đơn vị hành chính", "Đề án 06",
          "bảo vệ môi trường biển", "phòng chống tham nhũng", "khởi nghiệp đổi mới sáng tạo")
SUPPLIER_NAMES = {
    "press": ("Báo {0}", "Tạp chí {0}", "Đài Phát thanh {0}", "Cổng thông tin điện tử {0}"),
    "it_service": ("Công ty TNHH Giải pháp Dữ liệu {0}", "Công ty Cổ phần Công nghệ {0}",
                   "Trung tâm Dịch vụ số {0}"),
    "training": ("Trường Bồi dưỡng cán bộ {0}", "Trung tâm Đào tạo {0}", "Viện Nghiên cứu {0}"),
    "other": ("Công ty Cổ phần In {0}", "Công ty TNHH Quảng cáo {0}", "Hộ kinh doanh {0}"),
}
SUPPLIER_WORDS = ("Phố Núi", "Quy Nhơn", "Pleiku", "Tây Nguyên", "Duyên Hải", "Hoàng Anh", "Minh Phát",
                  "Sao Việt", "Ánh Dương", "Trường Sơn", "Biển Đông", "An Khang", "Phú Tài", "Nhơn Hội")
DIRECT_TEXT = {"training": ("Tập huấn cán bộ làm công tác truyền thông", "Hội nghị phổ biến pháp luật"),
               "operations": ("In ấn tờ gấp, pano, áp phích", "Thuê loa, màn hình tuyên truyền lưu động"),
               "other": ("Chi khác phục vụ tuyên truyền", "Hội thi tìm hiểu pháp luật")}
PAYEES = ("Công ty Cổ phần In Quy Nhơn", "Trung tâm Văn hóa - Thể thao", "Hộ kinh doanh Minh Phát",
          "Công ty TNHH Quảng cáo Sao Việt", "Nhà khách tỉnh", "Báo cáo viên pháp luật")


def log(message=""):
    print(message, flush=True)


def fold(text: str) -> str:
    """ASCII upper case letters and digits of a Vietnamese name: `xã Ia Hrú` -> `IAHRU`."""
    text = text.replace("Đ", "D").replace("đ", "d")
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.upper() if ch.isalnum())


def make_app(url: str):
    """The app on `url`, its schema built by the migrations."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db

    application = create_app({"SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": None,
                              "UPLOAD_FOLDER": os.path.join(tempfile.gettempdir(), "pcb-bench-uploads")})
    with application.app_context():
        upgrade()
        db.session.remove()
    return application


COLUMNS = {
    "units": ("id", "code", "name", "kind", "active", "created_at"),
    "users": ("id", "username", "password_hash", "full_name", "role", "unit_id", "active", "created_at",
              "password_changed_at"),
    "suppliers": ("id", "name", "kind", "tax_code", "created_at", "created_by_id"),
    "envelopes": ("id", "fiscal_year", "code", "name", "total", "allocated", "created_at", "created_by_id"),
    "envelope_decisions": ("id", "envelope_id", "kind", "decision_no", "decision_date", "amount", "created_at",
                           "created_by_id"),
    "funding_requests": ("id", "number", "unit_id", "fiscal_year", "title", "justification", "letter_no",
                         "requested_total", "approved_total", "status", "created_at", "created_by_id",
                         "updated_at", "submitted_at", "submitted_by_id", "approved_at", "approved_by_id"),
    "request_lines": ("id", "request_id", "position", "category", "description", "quantity", "unit_cost",
                      "amount"),
    "allocations": ("id", "envelope_id", "unit_id", "request_id", "category", "amount", "committed", "spent",
                    "decision_no", "decision_date", "chapter_code", "type_code", "item_code", "section_code",
                    "subsection_code", "created_at", "created_by_id"),
    "commissions": ("id", "number", "fiscal_year", "title", "unit_id", "allocation_id", "supplier_id", "method",
                    "category", "topic", "advance_limit_pct", "price_decision_no", "price_decision_date",
                    "value", "committed", "advanced", "outstanding_advance", "paid", "status", "contract_no",
                    "signed_on", "liquidation_no", "liquidated_on", "created_at", "created_by_id",
                    "approved_at", "approved_by_id", "signed_at", "signed_by_id", "closed_at", "closed_by_id"),
    "deliverables": ("id", "commission_id", "position", "title", "kind", "quantity", "unit_price", "value",
                     "due_date", "status", "delivered_on", "delivered_quantity", "evidence_url",
                     "delivered_by_id", "accepted_on", "accepted_quantity", "accepted_value", "record_no",
                     "accepted_by_id", "reject_reason", "paid"),
    "expenditures": ("id", "number", "unit_id", "allocation_id", "commission_id", "kind", "amount",
                     "advance_applied", "paid_on", "voucher_no", "payee", "description", "status",
                     "reversal_of_id", "reverse_reason", "created_at", "created_by_id", "reversed_at",
                     "reversed_by_id"),
    "expenditure_links": ("id", "expenditure_id", "deliverable_id", "amount"),
    "documents": ("id", "owner_type", "owner_id", "original_name", "storage_name", "size", "content_type",
                  "sha256", "uploaded_by_id", "uploaded_at"),
}
# Parents before children: a flush writes the tables in this order.
TABLE_ORDER = tuple(COLUMNS)


class Writer:
    """Buffers rows (tuples in COLUMNS order, dates as ISO text) and writes them in batches:
    COPY on PostgreSQL, executemany on SQLite, both on the one SQLAlchemy connection."""

    def __init__(self, conn):
        self.conn = conn
        self.postgres = conn.dialect.name == "postgresql"
        self.buffers = {table: [] for table in TABLE_ORDER}
        self.pending = 0
        self.since_commit = 0
        self.counts = dict.fromkeys(TABLE_ORDER, 0)

    def add(self, table, row):
        self.buffers[table].append(row)
        self.pending += 1

    def maybe_flush(self):
        if self.pending >= BATCH:
            self.flush()

    def flush(self):
        for table in TABLE_ORDER:
            rows = self.buffers[table]
            if not rows:
                continue
            columns = COLUMNS[table]
            if self.postgres:
                if not self.conn.in_transaction():
                    self.conn.begin()
                cursor = self.conn.connection.dbapi_connection.cursor()
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                cursor.close()
            else:
                self.conn.exec_driver_sql(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows)
            self.counts[table] += len(rows)
            self.since_commit += len(rows)
            self.buffers[table] = []
        self.pending = 0
        if self.since_commit >= COMMIT_EVERY:
            self.conn.commit()
            self.since_commit = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class Allocation:
    __slots__ = ("id", "unit", "category", "envelope", "request_id", "peak", "committed", "spent",
                 "decided_on")

    def __init__(self, id, unit, category, envelope, request_id, decided_on):
        self.id, self.unit, self.category, self.envelope = id, unit, category, envelope
        self.request_id, self.decided_on = request_id, decided_on
        self.peak = self.committed = self.spent = 0


class Unit:
    __slots__ = ("id", "code", "name", "kind", "officer", "vouchers", "weight")

    def __init__(self, id, code, name, kind, weight):
        self.id, self.code, self.name, self.kind, self.weight = id, code, name, kind, weight
        self.officer = None
        self.vouchers = 0


class Province:
    def __init__(self, year: int, seed: int):
        self.year = year
        self.rng = random.Random(seed)
        self.days = [(date(year, 1, 1) + timedelta(days=d)).isoformat() for d in range(366)]
        self.last_day = (date(year, 12, 31) - date(year, 1, 1)).days
        self.units: list[Unit] = []
        self.allocations: list[Allocation] = []
        self.suppliers = {}  # kind -> [id]
        self.supplier_names = {}
        self.ids = dict.fromkeys(TABLE_ORDER, 0)
        self.finance = self.auditor = self.admin = None
        self.expenditures = 0
        self.commissions = 0

    def next_id(self, table):
        self.ids[table] += 1
        return self.ids[table]

    def day(self, index: int) -> str:
        return self.days[min(max(index, 0), self.last_day)]

    def stamp(self, index: int) -> str:
        return f"{self.day(index)} {self.rng.randint(7, 16):02d}:{self.rng.randint(0, 59):02d}:00.000000"

    # --- people, places and suppliers ----------------------------------------------------------

    def people(self, w: Writer, password_hash: str, dic_code: str):
        from app.demo import CENTRAL_AGENCIES, DEPARTMENTS, LOCAL_GOVERNMENTS

        created = f"{self.year - 1}-12-01 08:00:00.000000"
        rows = [("department", code, name, 3) for code, name in DEPARTMENTS]
        rows += [("central_agency", code, name, 2) for code, name in CENTRAL_AGENCIES]
        rows += [("local_government", code, name, 1) for code, name in LOCAL_GOVERNMENTS]
        taken = {code for _kind, code, _name, _w in rows}
        for place in MORE_LOCALITIES:
            code = fold(place.split(" ", 1)[1])[:20]
            if code not in taken:
                taken.add(code)
                rows.append(("local_government", code, f"UBND {place}", 1))
        for kind, code, name, weight in rows:
            unit = Unit(self.next_id("units"), code, name, kind, weight)
            self.units.append(unit)
            w.add("units", (unit.id, code, name, kind, True, created))
        stc = next(u for u in self.units if u.code == "STC")

        def user(username, full_name, role, unit_id):
            user_id = self.next_id("users")
            w.add("users", (user_id, username, password_hash, full_name, role, unit_id, True, created, created))
            return user_id
        self.admin = user("quantri", "Nguyễn Văn Quản", "admin", None)
        self.finance = user("taichinh", "Trần Thị Tài", "finance_officer", stc.id)
        self.auditor = user("kiemtoan", "Đặng Quốc Kiểm", "auditor", None)
        for unit in self.units:
            role = "dic_officer" if unit.code == dic_code else "unit_officer"
            unit.officer = user(f"dv-{unit.code.lower()}", f"Cán bộ {unit.name}", role, unit.id)

        serial = self.rng.randint(10_000_000, 30_000_000)
        for kind, count in (("press", 60), ("it_service", 40), ("training", 60), ("other", 160)):
            for n in range(count):
                serial += self.rng.randint(1, 997)
                tax_code = f"59{serial:08d}" + ("-001" if n % 9 == 8 else "")
                template = SUPPLIER_NAMES[kind][n % len(SUPPLIER_NAMES[kind])]
                name = template.format(f"{SUPPLIER_WORDS[n % len(SUPPLIER_WORDS)]} {n // len(SUPPLIER_WORDS) + 1}")
                supplier_id = self.next_id("suppliers")
                w.add("suppliers", (supplier_id, name, kind, tax_code, created, self.finance))
                self.suppliers.setdefault(kind, []).append(supplier_id)
                self.supplier_names[supplier_id] = name

    def budget_skeleton(self, w: Writer, dic_code: str):
        """Envelopes, requests and allocations at zero: their figures are set once the spending is known."""
        year = self.year
        created = f"{year}-01-05 08:00:00.000000"
        self.envelope_ids = {}
        for code, name in ENVELOPES:
            envelope_id = self.next_id("envelopes")
            self.envelope_ids[code] = envelope_id
            w.add("envelopes", (envelope_id, year, code, name, 0, 0, created, self.finance))
        decision = 0
        self.requests = []  # (request id, unit)
        for n, unit in enumerate(self.units, start=1):
            request_id = self.next_id("funding_requests")
            self.requests.append((request_id, unit))
            submitted = self.stamp(self.rng.randint(5, 20))
            approved = self.stamp(self.rng.randint(25, 45))
            w.add("funding_requests", (
                request_id, f"DN-{year}-{n:04d}", unit.id, year,
                f"Kinh phí tuyên truyền, phổ biến chính sách năm {year}",
                "Theo Kế hoạch tuyên truyền của UBND tỉnh", f"{self.rng.randint(1, 999)}/{unit.code}-VP",
                0, 0, "approved", submitted, unit.officer, approved, submitted, unit.officer, approved,
                self.finance))
            for category in DIC_CATEGORIES if unit.code == dic_code else UNIT_CATEGORIES:
                decision += 1
                allocation = Allocation(self.next_id("allocations"), unit, category, self.envelope_ids[ENVELOPE_OF[category]],
                                        request_id, self.rng.randint(45, 60))
                self.allocations.append(allocation)
                codes = self.rng.random() < 0.7
                w.add("allocations", (
                    allocation.id, allocation.envelope, unit.id, request_id, category, 0, 0, 0,
                    f"{decision}/QĐ-STC", self.day(allocation.decided_on),
                    "418" if codes else None, "340" if codes else None, "341" if codes else None,
                    "7000" if codes else None, "7049" if codes else None,
                    self.stamp(allocation.decided_on), self.finance))
        self.decisions = decision
        w.flush()

    # --- spending ---------------------------------------------------------------------------------

    def voucher(self, unit: Unit, prefix: str) -> str:
        unit.vouchers += 1
        return f"{prefix}-{unit.vouchers:06d}/{self.year}"

    def entry(self, w: Writer, allocation: Allocation, commission_id, kind, amount, applied, day, payee,
              description, prefix, reversed_=False):
        """One posted expenditure (and, when `reversed_`, its reversal a few days later); returns ids."""
        unit = allocation.unit
        entry_id = self.next_id("expenditures")
        voucher = self.voucher(unit, prefix)
        stamp = self.stamp(day)
        reason = "Ghi sai số tiền, lập lại chứng từ" if reversed_ else None
        later = day + self.rng.randint(1, 10)
        w.add("expenditures", (
            entry_id, f"CT-{self.year}-{entry_id:04d}", unit.id, allocation.id, commission_id, kind, amount,
            applied, self.day(day), voucher, payee, description, "reversed" if reversed_ else "posted", None,
            reason, stamp, unit.officer, self.stamp(later) if reversed_ else None,
            self.finance if reversed_ else None))
        ids = [entry_id]
        if kind == "direct" and self.rng.random() < DOCUMENTED_SHARE:  # the invoice, scanned
            document_id = self.next_id("documents")
            w.add("documents", (document_id, "expenditure", entry_id, f"hoa-don-{voucher.replace('/', '-')}.pdf",
                                f"bench-{document_id:010d}.pdf", 180_000 + document_id % 90_000, "application/pdf",
                                f"{document_id:064x}", unit.officer, stamp))
        if reversed_:
            reversal_id = self.next_id("expenditures")
            w.add("expenditures", (
                reversal_id, f"CT-{self.year}-{reversal_id:04d}", unit.id, allocation.id, commission_id, kind,
                amount, applied, self.day(later), voucher + "/ĐẢO", payee,
                f"Đảo CT-{self.year}-{entry_id:04d}: {reason}", "posted", entry_id, reason, self.stamp(later),
                self.finance, None, None))
            ids.append(reversal_id)
        self.expenditures += len(ids)
        return ids

    def direct(self, w: Writer, allocation: Allocation):
        rng = self.rng
        amount = rng.randint(5, 3000) * 10_000
        reversed_ = rng.random() < REVERSED_SHARE
        texts = DIRECT_TEXT[allocation.category]
        self.entry(w, allocation, None, "direct", amount, 0, rng.randint(allocation.decided_on + 1, self.last_day - 12),
                   rng.choice(PAYEES), f"{texts[rng.randrange(len(texts))]} về {rng.choice(TOPICS)}", "PC",
                   reversed_)
        if not reversed_:
            allocation.spent += amount
            allocation.peak += amount

    def commission(self, w: Writer, allocation: Allocation):
        """One commission's whole story: proposal, approval, contract, deliveries, cash, closing."""
        from commissions.models import DELIVERABLE_KINDS

        rng, year, unit = self.rng, self.year, allocation.unit
        commission_id = self.next_id("commissions")
        self.commissions += 1
        number = f"DH-{year}-{commission_id:04d}"
        roll = rng.random()
        status = ("proposed" if roll < 0.02 else "approved" if roll < 0.05 else "closed" if roll < 0.35
                  else "signed")
        method = rng.choices(("order", "assignment", "bidding"), (5, 2, 3))[0]
        pct = rng.choice((0, 0, 10, 20, 30, 50))
        topic = rng.choice(TOPICS)
        proposed = rng.randint(allocation.decided_on + 1, 150)
        approved_day = proposed + rng.randint(1, 10)
        signed_day = approved_day + rng.randint(1, 15)
        kinds = DELIVERABLE_KINDS[allocation.category] + ("other",)
        actor = unit.officer

        deliverables = []  # [id, position, title, kind, quantity, unit_price, due, status, delivered, accepted_q, paid]
        value = 0
        for position in range(rng.choice((1, 2, 2, 3, 3, 4, 5))):
            kind = kinds[rng.randrange(len(kinds))]
            quantity = rng.randint(1, 24)
            unit_price = rng.randint(5, 400) * 100_000
            due = rng.randint(signed_day + 20, self.last_day - 20)
            deliverables.append([self.next_id("deliverables"), position, f"Sản phẩm {position + 1}: {topic}", kind,
                                 quantity, unit_price, due, "planned", None, None, 0])
            value += quantity * unit_price
        if status != "proposed":
            allocation.peak += value

        committed, advanced, outstanding, paid = (0 if status == "proposed" else value), 0, 0, 0
        live = status in ("signed", "closed")

        def post(kind, amount, applied, day, links=(), prefix="TT"):
            nonlocal committed, advanced, outstanding, paid
            reversed_ = rng.random() < REVERSED_SHARE
            ids = self.entry(w, allocation, commission_id, kind, amount, applied, day, supplier_name,
                             f"{'Tạm ứng' if kind == 'advance' else 'Thu hồi tạm ứng' if kind == 'recovery' else 'Thanh toán'}"
                             f" hợp đồng {number}", prefix, reversed_)
            for deliverable, link in links:
                for entry_id in ids:  # a reversal carries its original's links
                    w.add("expenditure_links", (self.next_id("expenditure_links"), entry_id, deliverable[0], link))
            if reversed_:
                return False
            if kind == "advance":
                committed -= amount
                advanced += amount
                outstanding += amount
                allocation.spent += amount
            elif kind == "recovery":
                committed += amount
                outstanding -= amount
                allocation.spent -= amount
            else:
                committed -= amount
                outstanding -= applied
                paid += amount + applied
                allocation.spent += amount
                for deliverable, link in links:
                    deliverable[10] += link
            return True

        supplier_kind = COMMISSIONED[allocation.category]
        supplier_id = self.suppliers[supplier_kind][rng.randrange(len(self.suppliers[supplier_kind]))]
        supplier_name = self.supplier_names[supplier_id]
        if live:
            if pct and rng.random() < 0.6:
                limit = value * pct // 100
                amount = max(1, limit * rng.choice((50, 80, 100)) // 100 // 1000 * 1000)
                while not post("advance", amount, 0, signed_day + rng.randint(1, 10), prefix="TU"):
                    pass  # reversed: posted again under a new voucher
            for deliverable in deliverables:
                roll = rng.random()
                if status == "closed":
                    deliverable[7] = "accepted" if roll < 0.9 else "rejected"
                else:
                    deliverable[7] = ("accepted" if roll < 0.6 else "delivered" if roll < 0.75
                                      else "rejected" if roll < 0.8 else "planned")
                if deliverable[7] != "planned":
                    deliverable[8] = min(deliverable[6] - rng.randint(-5, 15), self.last_day - 15)
                    deliverable[8] = max(deliverable[8], signed_day + 1)
                if deliverable[7] == "accepted":
                    quantity = deliverable[4]
                    deliverable[9] = quantity if rng.random() < 0.85 else rng.randint(1, quantity)
            accepted = sorted((d for d in deliverables if d[7] == "accepted"), key=lambda d: d[8])
            pieces = []  # (deliverable, amount, day)
            for deliverable in accepted:
                due = deliverable[9] * deliverable[5]
                share = 100 if status == "closed" else rng.choice((100, 100, 100, 100, 60, 0))
                due = due * share // 100
                if due <= 0:
                    continue
                day = deliverable[8] + rng.randint(6, 15)  # after its acceptance
                # paid at once or in instalments (a year's press order is paid by the quarter)
                instalments = rng.choice((1, 1, 2, 3, 4)) if due >= 4_000_000 else 1
                left = due
                for k in range(instalments, 0, -1):
                    part = left if k == 1 else left * rng.randint(60, 140) // 100 // k
                    pieces.append((deliverable, part, day))
                    left -= part
                    day += rng.randint(20, 60)
            i = 0
            while i < len(pieces):
                links = [pieces[i][:2]]
                day = pieces[i][2]
                if i + 1 < len(pieces) and pieces[i + 1][0] is not pieces[i][0] and rng.random() < 0.2:
                    links.append(pieces[i + 1][:2])  # one payment settles two deliverables
                    day = max(day, pieces[i + 1][2])
                    i += 1
                i += 1
                total = sum(amount for _d, amount in links)
                while True:
                    applied = min(outstanding, total)
                    if post("payment", total - applied, applied, day, links):
                        break
            if outstanding and (status == "closed" or rng.random() < 0.3):
                amount = outstanding if status == "closed" else max(1, outstanding // 2)
                day = max([signed_day + 30] + [p[2] for p in pieces]) + rng.randint(1, 10)
                while not post("recovery", amount, 0, day, prefix="TH"):
                    pass
            if status == "closed":
                committed = 0  # released on closing
        if status in ("approved", "signed"):
            allocation.committed += committed

        for deliverable in deliverables:
            d_id, position, title, kind, quantity, unit_price, due, d_status, delivered, accepted_q, d_paid = deliverable
            delivered_on = self.day(delivered) if delivered is not None else None
            accepted = d_status == "accepted"
            w.add("deliverables", (
                d_id, commission_id, position, title, kind, quantity, unit_price, quantity * unit_price,
                self.day(due), d_status, delivered_on, quantity if delivered is not None else None,
                f"https://gialai.gov.vn/bai-viet/{d_id}" if delivered is not None and kind != "training_course"
                else None, actor if delivered is not None else None,
                self.day(delivered + rng.randint(0, 5)) if accepted else None, accepted_q if accepted else None,
                accepted_q * unit_price if accepted else 0, f"{d_id}/BB-NT" if accepted else None,
                actor if accepted else None, "Chưa đạt yêu cầu nội dung" if d_status == "rejected" else None,
                d_paid))
        close_day = self.last_day - rng.randint(0, 10)
        w.add("commissions", (
            commission_id, number, year, f"Đặt hàng tuyên truyền {topic}", unit.id, allocation.id, supplier_id,
            method, allocation.category, topic, pct,
            f"{rng.randint(1, 300)}/QĐ-UBND" if method != "bidding" else None,
            self.day(proposed - 10) if method != "bidding" else None,
            value, committed, advanced, outstanding, paid, status,
            f"{commission_id}/{year}/HĐ-ĐH" if live else None, self.day(signed_day) if live else None,
            f"{commission_id}/{year}/TLHĐ" if status == "closed" else None,
            self.day(close_day) if status == "closed" else None,
            self.stamp(proposed), actor,
            self.stamp(approved_day) if status != "proposed" else None, self.finance if status != "proposed" else None,
            self.stamp(signed_day) if live else None, actor if live else None,
            self.stamp(close_day) if status == "closed" else None, actor if status == "closed" else None))

    def spending(self, w: Writer, target: int, dic_code: str):
        rng = self.rng
        commissioned = [a for a in self.allocations if a.category in COMMISSIONED]
        # The DIC's press and IT allocations carry a large share of the commissions.
        c_weights = [40 if a.unit.code == dic_code and a.category in ("press", "it_monitoring") else a.unit.weight
                     for a in commissioned]
        direct = [a for a in self.allocations if a.category in UNIT_CATEGORIES]
        d_weights = [a.unit.weight for a in direct]
        share = int(target * COMMISSION_SHARE)
        reported = time.perf_counter()
        while self.expenditures < share:
            for allocation in rng.choices(commissioned, c_weights, k=64):
                self.commission(w, allocation)
            w.maybe_flush()
            if time.perf_counter() - reported > 15:
                reported = time.perf_counter()
                log(f"  … {self.expenditures:,} expenditures, {w.total:,} rows")
        while self.expenditures < target:
            for allocation in rng.choices(direct, d_weights, k=min(512, target - self.expenditures)):
                if self.expenditures >= target:
                    break
                if self.expenditures == target - 1:  # no room for a reversal pair
                    allocation.spent += 10_000
                    allocation.peak += 10_000
                    self.entry(w, allocation, None, "direct", 10_000, 0, self.last_day - 12, rng.choice(PAYEES),
                               "Chi khác phục vụ tuyên truyền", "PC")
                else:
                    self.direct(w, allocation)
            w.maybe_flush()
            if time.perf_counter() - reported > 15:
                reported = time.perf_counter()
                log(f"  … {self.expenditures:,} expenditures, {w.total:,} rows")
        w.flush()

    # --- the figures, now that the spending is known ---------------------------------------------

    def settle(self, conn, w: Writer):
        import sqlalchemy as sa

        rng, year = self.rng, self.year
        amounts = {}
        for allocation in self.allocations:
            need = max(allocation.peak, allocation.committed + allocation.spent, 10 * MILLION)
            amounts[allocation.id] = -(-need * rng.randint(105, 140) // 100 // MILLION) * MILLION
        conn.execute(sa.text("UPDATE allocations SET amount = :amount, committed = :committed, spent = :spent "
                             "WHERE id = :id"),
                     [{"id": a.id, "amount": amounts[a.id], "committed": a.committed, "spent": a.spent}
                      for a in self.allocations])
        by_request = {}
        for allocation in self.allocations:
            by_request.setdefault(allocation.request_id, []).append(allocation)
        totals = []
        for request_id, unit in self.requests:
            requested = approved = 0
            for position, allocation in enumerate(by_request.get(request_id, ())):
                approved += amounts[allocation.id]
                asked = amounts[allocation.id] * rng.choice((100, 100, 110, 125)) // 100
                requested += asked
                w.add("request_lines", (self.next_id("request_lines"), request_id, position, allocation.category,
                                        f"Kinh phí {allocation.category} năm {year}", 1, asked, asked))
            totals.append({"id": request_id, "requested": requested, "approved": approved})
        w.flush()
        conn.execute(sa.text("UPDATE funding_requests SET requested_total = :requested, approved_total = :approved "
                             "WHERE id = :id"), totals)
        allocated = {}
        for allocation in self.allocations:
            allocated[allocation.envelope] = allocated.get(allocation.envelope, 0) + amounts[allocation.id]
        for code, _name in ENVELOPES:
            envelope_id = self.envelope_ids[code]
            total = -(-allocated.get(envelope_id, 0) * rng.randint(105, 120) // 100 // MILLION) * MILLION
            initial = total * 4 // 5 // MILLION * MILLION
            w.add("envelope_decisions", (self.next_id("envelope_decisions"), envelope_id, "initial",
                                         f"{year % 100}/QĐ-UBND", f"{year - 1}-12-10",
                                         initial, f"{year - 1}-12-10 09:00:00.000000", self.finance))
            w.add("envelope_decisions", (self.next_id("envelope_decisions"), envelope_id, "supplement",
                                         f"{year % 100}/QĐ-UBND-BS", self.day(180), total - initial,
                                         self.stamp(180), self.finance))
            conn.execute(sa.text("UPDATE envelopes SET total = :total, allocated = :allocated WHERE id = :id"),
                         {"id": envelope_id, "total": total, "allocated": allocated.get(envelope_id, 0)})
        w.flush()
        for name, value in ((f"CT-{year}", self.ids["expenditures"]), (f"DH-{year}", self.ids["commissions"]),
                            (f"DN-{year}", self.ids["funding_requests"])):
            conn.execute(sa.text("INSERT INTO number_sequences (name, last_value) VALUES (:name, :value)"),
                         {"name": name, "value": value})
        if conn.dialect.name == "postgresql":
            for table in TABLE_ORDER:
                conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"))
        conn.commit()


def generate(app, expenditures: int, year: int, seed: int) -> dict:
    import sqlalchemy as sa

    from app.auth.services import hash_password
    from app.extensions import db

    with app.app_context():
        if db.session.execute(sa.text("SELECT COUNT(*) FROM units")).scalar():
            raise SystemExit("the database already holds units: give a fresh database")
        password_hash = hash_password(PASSWORD)
        dic_code = app.config["DIC_UNIT_CODE"]
        db.session.remove()
        province = Province(year, seed)
        started = time.perf_counter()
        with db.engine.connect() as conn:
            if conn.dialect.name == "sqlite":  # outside any transaction; this connection only
                conn.connection.dbapi_connection.execute("PRAGMA synchronous=OFF")
            writer = Writer(conn)
            province.people(writer, password_hash, dic_code)
            province.budget_skeleton(writer, dic_code)
            province.spending(writer, expenditures, dic_code)
            province.settle(conn, writer)
            conn.commit()
        written = time.perf_counter() - started
        analyse_started = time.perf_counter()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        else:
            raw = db.engine.raw_connection()  # autocommit: outside the begin hook's transaction
            try:
                raw.driver_connection.execute("ANALYZE")
                raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                raw.close()
        analysed = time.perf_counter() - analyse_started
    return {"counts": writer.counts, "rows": writer.total, "seconds": written, "analyse": analysed,
            "expenditures": province.expenditures, "commissions": province.commissions,
            "units": len(province.units), "allocations": len(province.allocations)}


def self_check(app, year: int) -> list[str]:
    """check_balances() on the data, then one entry posted and reversed through the services (rolled back)."""
    import sqlalchemy as sa

    from app.auth.models import User
    from app.extensions import db
    from budgets.models import Allocation
    from commissions.expenditures.balances import check_balances
    from commissions.expenditures.models import Expenditure
    from commissions.expenditures.services import post_expenditure, reverse_expenditure
    from commissions.models import Commission

    with app.app_context():
        problems = check_balances()
        if problems:
            return problems
        duplicates = db.session.execute(sa.text(
            "SELECT COUNT(*) - COUNT(DISTINCT number) FROM expenditures")).scalar()
        if duplicates:
            return [f"{duplicates} duplicate expenditure numbers"]
        allocation = db.session.execute(sa.select(Allocation).where(Allocation.category == "operations")
                                        .order_by(Allocation.id).limit(1)).scalar_one()
        officer = db.session.execute(sa.select(User).where(User.unit_id == allocation.unit_id,
                                                           User.role.in_(("unit_officer", "dic_officer")))).scalar_one()
        finance = db.session.execute(sa.select(User).where(User.role == "finance_officer")).scalar_one()
        last = db.session.execute(sa.text("SELECT last_value FROM number_sequences WHERE name = :n"),
                                  {"n": f"CT-{year}"}).scalar()
        posted = post_expenditure(officer, allocation_id=allocation.id, kind="direct", amount=1_000_000,
                                  paid_on=date(year, 12, 1), voucher_no="KIEM-TRA-01", payee="Kiểm tra",
                                  description="Kiểm tra sau khi nạp dữ liệu")
        expected = f"CT-{year}-{last + 1:04d}"
        if posted.number != expected:
            problems.append(f"next number {posted.number}, expected {expected}")
        original = db.session.execute(
            sa.select(Expenditure).join(Commission, Commission.id == Expenditure.commission_id)
            .where(Expenditure.status == "posted", Expenditure.reversal_of_id.is_(None),
                   Expenditure.kind == "payment", Commission.status == "signed")
            .order_by(Expenditure.id.desc()).limit(1)).scalar_one()
        reverse_expenditure(finance, original, reason="Kiểm tra đảo sau khi nạp")
        db.session.flush()
        problems += check_balances()
        db.session.rollback()
    return problems


def directory_size(url: str) -> str:
    import sqlalchemy as sa

    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        size = sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))
        return f"{size / 2**20:,.0f} MiB (file)"
    import psycopg
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    return f"{size / 2**20:,.0f} MiB (pg_database_size)"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("url", help="sqlite:////tmp/x.sqlite or postgresql://…/pcb_bench (fresh)")
    parser.add_argument("--expenditures", type=int, default=1_000_000)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--check", action="store_true", help="check_balances() and a service round after")
    args = parser.parse_args(argv)
    url = args.url
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]

    t0 = time.perf_counter()
    app = make_app(url)
    log(f"schema (flask db upgrade): {time.perf_counter() - t0:.1f} s")
    result = generate(app, args.expenditures, args.year, args.seed)
    counts = result["counts"]
    log(f"database: {url.split(':', 1)[0]}, fiscal year {args.year}, seed {args.seed}")
    log(f"units {result['units']}, allocations {result['allocations']}, commissions {counts['commissions']:,}, "
        f"deliverables {counts['deliverables']:,}, expenditures {counts['expenditures']:,}, "
        f"links {counts['expenditure_links']:,}, documents {counts['documents']:,}")
    log(f"generator: {result['rows']:,} rows in {result['seconds']:.1f} s = {result['rows'] / result['seconds']:,.0f} rows/s "
        f"({counts['expenditures'] / result['seconds']:,.0f} expenditures/s); "
        f"{'VACUUM ANALYZE' if 'postgresql' in url else 'ANALYZE'} {result['analyse']:.1f} s")
    log(f"size on disk: {directory_size(url)}")
    if args.check:
        t1 = time.perf_counter()
        problems = self_check(app, args.year)
        for problem in problems[:20]:
            log(f"  PROBLEM {problem}")
        log(f"check: check_balances() {'== []' if not problems else f'found {len(problems)} problems'}; "
            f"one entry posted and reversed through the services and rolled back ({time.perf_counter() - t1:.1f} s)")
        if problems:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
