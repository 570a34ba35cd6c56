"""API speed against its reference points (DESIGN §10). A script, not a timed test.

    .venv/bin/python benchmarks/api.py [--db sqlite|postgres|both] [--seconds 5] [--rounds 3]
                                       [--rows 50000] [--quick]

For each database (a SQLite file in a temporary folder; a fresh PostgreSQL database `pcb_bench`,
dropped at the end) it:

1. builds the schema with the real migrations and a province through the services (units, one
   officer per unit, a finance officer and their API token, envelopes and supplements), then
   bulk-inserts funding requests with their lines, allocations and adjustments with SQLAlchemy
   core executemany (every CHECK holds: envelope.allocated = sum of its allocations,
   request.approved_total = sum of its allocations, numbering DN-YYYY-NNNN unique and the
   counters moved on);
2. times request lists in-process (Flask test client on the same code and database, SQL captured
   with cursor events; on PostgreSQL also EXPLAIN ANALYZE of the statements the request ran) at a
   small size and at the full size: page 1, a late page (90 % of the way), a status filter and a
   search that matches nothing;
3. serves three apps under gunicorn (2 sync workers each, 127.0.0.1, free ports): the service
   (`wsgi:app`, APP_CONFIG=production), a bare Flask JSON route and the hand-written limit of
   benchmarks/reference_apps.py; then drives them in turn (bare, limit, service; each round) with
   16 concurrent connections for a fixed time with `wrk` (installed with apt-get when it is missing
   and the script runs as root on Debian); failing that, with a small Python generator (threads, one
   new connection per request, since sync workers close each one), which caps the bare route near
   1,300 req/s and says so.

Everything is bounded: fixed row counts, deadlines on every loop, a whole-run alarm
(`--max-minutes`); servers are stopped and the PostgreSQL database dropped in `finally`.
"""
import argparse
import http.client
import json
import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_NAME = "pcb_bench"
CONNECTIONS = 16
WORKERS = 2
WORKER_CLASS = "sync"
PER_PAGE = 50
NO_MATCH = "khong-co-de-nghi-nay"
YEARS = (2024, 2025, 2026)
ENVELOPES = (("NKP-TTCS", "Kinh phí tuyên truyền, phổ biến chính sách"),
             ("NKP-BAOCHI", "Kinh phí đặt hàng báo chí"),
             ("NKP-CNTT", "Kinh phí dịch vụ rà quét, phân tích thông tin trên mạng"))
TOPICS = ("Luật Đất đai 2024", "chuyển đổi số", "cải cách hành chính", "phòng chống thiên tai",
          "an toàn giao thông", "bảo hiểm xã hội tự nguyện", "xây dựng nông thôn mới",
          "phòng chống ma túy", "bình đẳng giới", "sắp xếp đơn vị hành chính", "Đề án 06",
          "bảo vệ môi trường biển", "phòng chống tham nhũng", "khởi nghiệp đổi mới sáng tạo")
LINE_TEXT = {"training": "Tập huấn cán bộ làm công tác truyền thông",
             "press": "Đặt hàng tin, bài, phóng sự trên báo và đài",
             "it_monitoring": "Dịch vụ rà quét, phân tích thông tin trên mạng",
             "operations": "In ấn tờ gấp, pano, áp phích",
             "other": "Chi khác phục vụ tuyên truyền"}
# (status, weight): most requests of past years are decided; some are still on the desk.
STATUS_WEIGHTS = (("draft", 8), ("submitted", 14), ("returned", 5), ("rejected", 5),
                  ("withdrawn", 3), ("approved", 65))
BATCH = 5000


class RunTimeout(Exception):
    pass


def log(message=""):
    print(message, flush=True)


def ms(seconds: float) -> float:
    return seconds * 1000.0


# --- the database and the province --------------------------------------------------------

def pg_admin(action: str, name: str):
    import psycopg
    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        if action == "create":
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        else:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_app(url: str, workdir: str):
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db

    application = create_app({"SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": None,
                              "UPLOAD_FOLDER": os.path.join(workdir, "uploads")})
    with application.app_context():
        upgrade()
        db.session.remove()
    return application


def enrol_authenticator(user):
    """Two-step verification turned on through the services, as the user's authenticator app would."""
    import pyotp

    from app.auth.totp import confirm_enrolment, start_enrolment
    secret, _uri = start_enrolment(user)
    confirm_enrolment(user, pyotp.TOTP(secret).now())


class Province:
    """Units, officers and envelopes made by the services; requests and allocations bulk-inserted."""

    def __init__(self, app, seed=2026):
        self.app = app
        self.rng = random.Random(seed)
        self.units = []          # (id, code)
        self.officer = {}        # unit id -> user id
        self.finance_id = None
        self.token = None
        self.envelopes = {}      # (year, code) -> id
        self.counts = {"requests": 0, "lines": 0, "allocations": 0, "adjustments": 0}
        self.decision_seq = 0

    def setup(self):
        from app.auth.services import create_user, issue_token
        from app.demo import CENTRAL_AGENCIES, DEPARTMENTS, LOCAL_GOVERNMENTS
        from app.extensions import db
        from app.units.services import create_unit

        with self.app.app_context():
            for kind, rows in (("department", DEPARTMENTS), ("local_government", LOCAL_GOVERNMENTS),
                               ("central_agency", CENTRAL_AGENCIES)):
                for code, name in rows:
                    unit = create_unit(None, code=code, name=name, kind=kind)
                    self.units.append((unit.id, code))
            password = "benchmark-matkhau-2026"
            finance = create_user(None, username="taichinh", password=password,
                                  full_name="Trần Thị Tài", role="finance_officer", unit_code="STC")
            self.finance_id = finance.id
            enrol_authenticator(finance)  # production asks finance for a second factor before any work
            for unit_id, code in self.units:
                role = "dic_officer" if code == "STTTT" else "unit_officer"
                user = create_user(None, username=f"dv-{code.lower()}", password=password,
                                   full_name=f"Cán bộ {code}", role=role, unit_code=code)
                self.officer[unit_id] = user.id
            self.token, _ = issue_token(finance)
            db.session.commit()

    # Plans rows in Python, grows the envelopes through the services, then inserts in bulk.
    def grow_to(self, target_requests: int):
        import sqlalchemy as sa

        from app.core.numbering import NumberSequence
        from app.extensions import db
        from budgets.models import Allocation, AllocationAdjustment, Envelope, FundingRequest, RequestLine

        if target_requests <= self.counts["requests"]:
            return 0.0
        started = time.perf_counter()
        rng = self.rng
        with self.app.app_context():
            engine = db.engine
            with engine.connect() as conn:
                def next_id(model):
                    return (conn.execute(sa.select(sa.func.max(model.id))).scalar() or 0) + 1
                ids = {m: next_id(m) for m in (FundingRequest, RequestLine, Allocation,
                                               AllocationAdjustment)}
                sequences = dict(conn.execute(sa.select(NumberSequence.name, NumberSequence.last_value)).all())
                allocated = {envelope_id: int(amount) for envelope_id, amount in conn.execute(
                    sa.select(Allocation.envelope_id, sa.func.sum(Allocation.amount))
                    .group_by(Allocation.envelope_id)).all()}  # PostgreSQL's SUM is numeric
                conn.rollback()

            requests, lines, allocations, adjustments = [], [], [], []
            need = {}  # (year, code) -> amount allocated from it in this batch
            statuses = [s for s, _ in STATUS_WEIGHTS]
            weights = [w for _, w in STATUS_WEIGHTS]
            direct_every = 10  # one allocation without a request for every 10 requests
            for n in range(target_requests - self.counts["requests"]):
                year = rng.choice(YEARS)
                unit_id, unit_code = rng.choice(self.units)
                officer = self.officer[unit_id]
                seq_name = f"DN-{year}"
                sequences[seq_name] = sequences.get(seq_name, 0) + 1
                request_id = ids[FundingRequest]
                ids[FundingRequest] += 1
                created = datetime(year, 1, 2, 8) + timedelta(seconds=rng.randint(0, 300 * 86400))
                req_lines, total = [], 0
                for position in range(1, rng.choice((1, 1, 2, 2, 3, 4)) + 1):
                    category = rng.choice(tuple(LINE_TEXT))
                    quantity = rng.randint(1, 20)
                    unit_cost = rng.randint(5, 800) * 100_000
                    req_lines.append({"id": ids[RequestLine], "request_id": request_id,
                                      "position": position, "category": category,
                                      "description": LINE_TEXT[category], "quantity": quantity,
                                      "unit_cost": unit_cost, "amount": quantity * unit_cost})
                    ids[RequestLine] += 1
                    total += quantity * unit_cost
                status = rng.choices(statuses, weights)[0]
                row = {
                    "id": request_id, "number": f"{seq_name}-{sequences[seq_name]:04d}",
                    "unit_id": unit_id, "fiscal_year": year,
                    "title": f"Tuyên truyền {rng.choice(TOPICS)} năm {year}",
                    "justification": "Theo Kế hoạch tuyên truyền của UBND tỉnh",
                    "letter_no": f"{rng.randint(1, 999)}/{unit_code}-VP",
                    "requested_total": total, "approved_total": 0, "status": status,
                    "created_at": created, "created_by_id": officer, "updated_at": created,
                    **{f"{step}_{col}": None for step in ("submitted", "returned", "rejected",
                                                          "withdrawn", "approved")
                       for col in ("at", "by_id")},
                    "return_reason": None, "reject_reason": None,
                }
                submitted = created + timedelta(days=rng.randint(0, 10))
                decided = submitted + timedelta(days=rng.randint(1, 20))
                if status != "draft" and not (status == "withdrawn" and rng.random() < 0.5):
                    row.update(submitted_at=submitted, submitted_by_id=officer, updated_at=submitted)
                if status == "returned":
                    row.update(returned_at=decided, returned_by_id=self.finance_id, updated_at=decided,
                               return_reason="Đề nghị bổ sung dự toán chi tiết")
                elif status == "rejected":
                    row.update(rejected_at=decided, rejected_by_id=self.finance_id, updated_at=decided,
                               reject_reason="Nội dung không thuộc nhiệm vụ chi truyền thông chính sách")
                elif status == "withdrawn":
                    row.update(withdrawn_at=decided, withdrawn_by_id=officer, updated_at=decided)
                elif status == "approved":
                    row.update(approved_at=decided, approved_by_id=self.finance_id, updated_at=decided)
                    approved = total * rng.choice((100, 100, 80, 50)) // 100
                    categories = sorted({ln["category"] for ln in req_lines})
                    parts = [approved]
                    if approved >= 2 and rng.random() < 0.3:  # allocated in two decisions
                        first = max(1, approved * rng.randint(30, 70) // 100)
                        parts = [first, approved - first]
                    row["approved_total"] = 0
                    for amount in parts:
                        alloc = self._allocation(ids, year, unit_id, request_id, rng.choice(categories),
                                                 amount, min(decided, datetime(year, 12, 31, 12)),
                                                 adjustments, need)
                        allocations.append(alloc)
                        row["approved_total"] += alloc["amount"]
                requests.append(row)
                lines.extend(req_lines)
                if n % direct_every == 0:
                    d_year = rng.choice(YEARS)
                    d_unit, _code = rng.choice(self.units)
                    when = datetime(d_year, 2, 1, 9) + timedelta(seconds=rng.randint(0, 300 * 86400))
                    allocations.append(self._allocation(
                        ids, d_year, d_unit, None, rng.choice(tuple(LINE_TEXT)),
                        rng.randint(10, 5000) * 1_000_000, when, adjustments, need))

            self._grow_envelopes(need, allocated)
            for alloc in allocations:
                alloc["envelope_id"] = self.envelopes[alloc.pop("_key")]

            with engine.begin() as conn:
                for table, rows in ((FundingRequest.__table__, requests), (RequestLine.__table__, lines),
                                    (Allocation.__table__, allocations),
                                    (AllocationAdjustment.__table__, adjustments)):
                    for i in range(0, len(rows), BATCH):
                        conn.execute(table.insert(), rows[i:i + BATCH])
                conn.execute(
                    sa.update(Envelope).values(allocated=sa.select(
                        sa.func.coalesce(sa.func.sum(Allocation.amount), 0))
                        .where(Allocation.envelope_id == Envelope.id).scalar_subquery()))
                for name, value in sequences.items():
                    moved = conn.execute(sa.update(NumberSequence).where(NumberSequence.name == name)
                                         .values(last_value=value))
                    if moved.rowcount == 0:
                        conn.execute(sa.insert(NumberSequence).values(name=name, last_value=value))
                if engine.dialect.name == "postgresql":
                    for table in ("funding_requests", "request_lines", "allocations",
                                  "allocation_adjustments"):
                        conn.execute(sa.text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT MAX(id) FROM {table}))"))
            if engine.dialect.name == "postgresql":
                # What autovacuum would have done by the time a province holds this many rows.
                with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.execute(sa.text("VACUUM ANALYZE"))
            self._check_consistent()
        self.counts["requests"] += len(requests)
        self.counts["lines"] += len(lines)
        self.counts["allocations"] += len(allocations)
        self.counts["adjustments"] += len(adjustments)
        return time.perf_counter() - started

    def _allocation(self, ids, year, unit_id, request_id, category, amount, when, adjustments, need):
        from budgets.models import Allocation, AllocationAdjustment

        code = self.rng.choice(ENVELOPES)[0]
        self.decision_seq += 1
        alloc_id = ids[Allocation]
        ids[Allocation] += 1
        if amount >= 20 and self.rng.random() < 0.05:
            # Decided lower, then raised by a tenth with an adjustment: `amount` is the final figure.
            adjustments.append({"id": ids[AllocationAdjustment], "allocation_id": alloc_id,
                                "amount": amount // 10, "reason": "Điều chỉnh tăng theo thực tế thực hiện",
                                "decision_no": f"{self.decision_seq}/QĐ-STC-ĐC",
                                "created_at": when + timedelta(days=30),
                                "created_by_id": self.finance_id})
            ids[AllocationAdjustment] += 1
        codes = self.rng.random() < 0.5
        need[(year, code)] = need.get((year, code), 0) + amount
        return {"id": alloc_id, "envelope_id": None, "_key": (year, code), "unit_id": unit_id,
                "request_id": request_id, "category": category, "amount": amount, "committed": 0,
                "spent": 0, "decision_no": f"{self.decision_seq}/QĐ-STC",
                "decision_date": when.date(),
                "chapter_code": "418" if codes else None, "type_code": "340" if codes else None,
                "item_code": "341" if codes else None, "section_code": "7000" if codes else None,
                "subsection_code": "7049" if codes else None,
                "created_at": when, "created_by_id": self.finance_id}

    def _grow_envelopes(self, need, allocated):
        """Each envelope holds what it gives plus a quarter: created, then supplemented."""
        from app.auth.models import User
        from app.extensions import db
        from budgets import services
        from budgets.models import Envelope

        finance = db.session.get(User, self.finance_id)
        for (year, code), amount in sorted(need.items()):
            envelope_id = self.envelopes.get((year, code))
            current_total = db.session.get(Envelope, envelope_id).total if envelope_id else 0
            target = (allocated.get(envelope_id, 0) + amount) * 5 // 4 // 1_000_000 * 1_000_000 + 1_000_000_000
            if envelope_id is None:
                name = dict(ENVELOPES)[code]
                envelope = services.create_envelope(
                    finance, fiscal_year=year, code=code, name=name, amount=target,
                    decision_no=f"{year % 100}/QĐ-UBND", decision_date=date(year, 1, 10))
                self.envelopes[(year, code)] = envelope.id
            elif target > current_total:
                services.add_supplement(finance, envelope_id, amount=target - current_total,
                                        decision_no=f"{year % 100}/QĐ-UBND-BS",
                                        decision_date=date(year, 6, 30))
        db.session.commit()
        db.session.remove()

    def _check_consistent(self):
        import sqlalchemy as sa

        from app.extensions import db

        with db.engine.connect() as conn:
            bad = conn.execute(sa.text("""
                SELECT (SELECT COUNT(*) FROM envelopes e WHERE e.allocated <> (
                          SELECT COALESCE(SUM(a.amount), 0) FROM allocations a WHERE a.envelope_id = e.id)
                          OR e.total <> (SELECT SUM(d.amount) FROM envelope_decisions d
                                         WHERE d.envelope_id = e.id)),
                       (SELECT COUNT(*) FROM funding_requests r WHERE r.approved_total <> (
                          SELECT COALESCE(SUM(a.amount), 0) FROM allocations a WHERE a.request_id = r.id)
                          OR r.requested_total <> (SELECT SUM(l.amount) FROM request_lines l
                                                   WHERE l.request_id = r.id)),
                       (SELECT COUNT(*) - COUNT(DISTINCT number) FROM funding_requests)
            """)).one()
            if any(bad):
                raise RuntimeError(f"bulk fill is inconsistent: {bad}")


# --- lists, timed in-process ----------------------------------------------------------------

class SqlCapture:
    def __init__(self, engine):
        from sqlalchemy import event
        self.active = False
        self.statements = []  # (statement, parameters, seconds)
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, _cursor, _statement, _parameters, _context, _executemany):
        conn.info["bench_started"] = time.perf_counter()

    def _after(self, conn, _cursor, statement, parameters, _context, _executemany):
        if self.active:
            self.statements.append((statement, parameters,
                                    time.perf_counter() - conn.info.pop("bench_started")))

    @contextmanager
    def capture(self):
        self.statements = []
        self.active = True
        try:
            yield self.statements
        finally:
            self.active = False


def explain_ms(engine, statements) -> tuple[float, float]:
    """(planning, execution) time PostgreSQL reports for the statements, each summed."""
    planning = execution = 0.0
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for statement, parameters, _seconds in statements:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters)
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            planning += plan[0]["Planning Time"]
            execution += plan[0]["Execution Time"]
        raw.rollback()
    finally:
        raw.close()
    return planning, execution


def list_cases(rows: int):
    late = max(1, rows * 9 // 10 // PER_PAGE)
    return [
        ("page 1", f"/api/v1/requests?page=1&per_page={PER_PAGE}"),
        (f"page {late}", f"/api/v1/requests?page={late}&per_page={PER_PAGE}"),
        ("status=submitted", f"/api/v1/requests?status=submitted&per_page={PER_PAGE}"),
        ("search, no match", f"/api/v1/requests?q={NO_MATCH}&per_page={PER_PAGE}"),
    ]


def measure_lists(app, capture, token, rows, repeats, time_limit=20.0):
    from app.extensions import db

    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    results = []
    for label, path in list_cases(rows):
        walls, sqls, counts, explains = [], [], [], []
        total = None
        deadline = time.monotonic() + time_limit
        client.get(path, headers=headers)  # warm-up
        for _ in range(repeats):
            with capture.capture() as statements:
                t0 = time.perf_counter()
                response = client.get(path, headers=headers)
                wall = time.perf_counter() - t0
            if response.status_code != 200:
                raise RuntimeError(f"{path}: {response.status_code} {response.get_data(as_text=True)[:300]}")
            total = response.get_json()["total"]
            walls.append(ms(wall))
            sqls.append(ms(sum(s for _st, _p, s in statements)))
            counts.append(len(statements))
            last = list(statements)
            if time.monotonic() > deadline:
                break
        with app.app_context():
            if db.engine.dialect.name == "postgresql":
                for _ in range(3):
                    explains.append(explain_ms(db.engine, last))
        results.append({"label": label, "path": path, "total": total, "n": len(walls),
                        "wall": statistics.median(walls), "sql": statistics.median(sqls),
                        "statements": max(counts),
                        "plan": statistics.median(p for p, _ in explains) if explains else None,
                        "exec": statistics.median(e for _, e in explains) if explains else None})
    return results


# --- servers and load ----------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, name, target, chdir, env, ready_path, ready_headers, workdir):
        self.name, self.port = name, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = os.path.join(workdir, f"gunicorn-{name}.log")
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        command = [gunicorn, "--workers", str(WORKERS), "--worker-class", WORKER_CLASS,
                   "--bind", f"127.0.0.1:{self.port}", "--chdir", str(chdir), "--timeout", "30",
                   "--graceful-timeout", "5", "--log-level", "warning", target]
        self.log_file = open(self.log_path, "wb")
        self.process = subprocess.Popen(command, env={**os.environ, **env}, stdout=self.log_file,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_ready(ready_path, ready_headers)

    def _wait_ready(self, path, headers, timeout=60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                status, _body = http_get(self.port, path, headers, timeout=5)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        with open(self.log_path, encoding="utf-8", errors="replace") as fh:
            tail = fh.read()[-3000:]
        raise RuntimeError(f"{self.name} did not answer 200 on {path}:\n{tail}")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()  # the gunicorn master stops its workers
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # the session this script started
                self.process.wait(timeout=5)
        self.log_file.close()


def http_get(port, path, headers, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def percentile(sorted_values, pct):
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, math.ceil(pct / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


def load_python(port, paths, headers, seconds):
    """16 threads, a new connection per request; latency includes connecting."""
    deadline = time.monotonic() + seconds
    latencies, errors = [], [0]
    lock = threading.Lock()

    def worker(offset):
        mine, bad, i = [], 0, offset
        while time.monotonic() < deadline:
            path = paths[i % len(paths)]
            i += 1
            t0 = time.perf_counter()
            try:
                status, _ = http_get(port, path, headers)
            except OSError:
                status = 0
            elapsed = time.perf_counter() - t0
            if status == 200:
                mine.append(elapsed)
            else:
                bad += 1
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(k * 7,), daemon=True) for k in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 30)
    elapsed = time.monotonic() - started
    latencies.sort()
    return {"rps": len(latencies) / elapsed, "p50": ms(percentile(latencies, 50)),
            "p95": ms(percentile(latencies, 95)), "errors": errors[0]}


WRK_SCRIPT = """
local paths = {%(paths)s}
local headers = {%(headers)s}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1], headers)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH requests=%%d duration_us=%%d p50_us=%%d p95_us=%%d errors=%%d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def load_wrk(port, paths, headers, seconds, workdir):
    """wrk -t2 -c16; its latency is from writing the request to the full response (no connect)."""
    script = os.path.join(workdir, "bench.lua")
    with open(script, "w", encoding="utf-8") as fh:
        fh.write(WRK_SCRIPT % {
            "paths": ", ".join(json.dumps(p) for p in paths),
            "headers": ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items())})
    command = ["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", f"{seconds}s", "--timeout", "10s",
               "--latency", "-s", script, f"http://127.0.0.1:{port}"]
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60).stdout
    found = re.search(r"BENCH requests=(\d+) duration_us=(\d+) p50_us=(\d+) p95_us=(\d+) errors=(\d+)",
                      output)
    if not found:
        raise RuntimeError(f"could not read wrk's output:\n{output}")
    requests, duration, p50, p95, errors = map(int, found.groups())
    # Sync workers close every connection; wrk reconnects and may count a read error for it.
    return {"rps": requests / (duration / 1e6), "p50": p50 / 1000, "p95": p95 / 1000,
            "errors": errors}


def run_http(db_kind, db_url, province, allocation_ids, seconds, rounds, use_wrk, workdir):
    secret = secrets.token_urlsafe(36)  # 48 characters
    service_env = {"DATABASE_URL": db_url, "APP_CONFIG": "production", "SECRET_KEY": secret,
                   "UPLOAD_FOLDER": os.path.join(workdir, "uploads")}
    auth = {"Authorization": f"Bearer {province.token}"}
    paths = [f"/api/v1/allocations/{i}" for i in allocation_ids]
    servers = []
    try:
        servers.append(Server("bare", "reference_apps:bare_app", BENCH_DIR, {}, "/ping", {}, workdir))
        servers.append(Server("limit", "reference_apps:limit_app", BENCH_DIR, {"DATABASE_URL": db_url},
                              paths[0], auth, workdir))
        servers.append(Server("service", "wsgi:app", ROOT, service_env, paths[0], auth, workdir))
        bare, limit, service = servers
        # Same answer from the limit and the service, for every id driven.
        for path in paths:
            a, b = http_get(limit.port, path, auth), http_get(service.port, path, auth)
            if a[0] != 200 or b[0] != 200 or json.loads(a[1]) != json.loads(b[1]):
                raise RuntimeError(f"limit and service differ on {path}:\n{a}\n{b}")
        targets = [("bare", bare, ["/ping"], {}), ("limit", limit, paths, auth),
                   ("service", service, paths, auth)]

        def drive(server, app_paths, headers, secs):
            if use_wrk:
                return load_wrk(server.port, app_paths, headers, secs, workdir)
            return load_python(server.port, app_paths, headers, secs)

        for _name, server, app_paths, headers in targets:  # warm-up, not counted
            drive(server, app_paths, headers, 1)
        results = {name: [] for name, *_ in targets}
        for round_no in range(rounds):
            for name, server, app_paths, headers in targets:
                result = drive(server, app_paths, headers, seconds)
                results[name].append(result)
                log(f"  [{db_kind}] round {round_no + 1} {name:<8} {result['rps']:8.1f} req/s  "
                    f"p50 {result['p50']:6.2f} ms  p95 {result['p95']:6.2f} ms  errors {result['errors']}")
        return results
    finally:
        for server in reversed(servers):
            server.stop()


# --- printing -----------------------------------------------------------------------------

def print_http_table(db_kind, results, generator, seconds, rounds):
    def med(name, key):
        return statistics.median(r[key] for r in results[name])

    log()
    log(f"== {db_kind}: GET /api/v1/allocations/{{id}} under gunicorn ({WORKERS} {WORKER_CLASS} "
        f"workers each), {generator}, {CONNECTIONS} connections, {seconds} s × {rounds} rounds "
        f"interleaved (medians of rounds) ==")
    log(f"{'app':<44} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}")
    labels = {"bare": "bare Flask JSON route (no database)",
              "limit": "hand-written limit (token + SQL, same driver)",
              "service": "service (wsgi:app, APP_CONFIG=production)"}
    for name in ("bare", "limit", "service"):
        errors = sum(r["errors"] for r in results[name])
        log(f"{labels[name]:<44} {med(name, 'rps'):>9.1f} {med(name, 'p50'):>8.2f} "
            f"{med(name, 'p95'):>8.2f} {errors:>7}")
    s_l = med("service", "rps") / med("limit", "rps")
    s_b = med("service", "rps") / med("bare", "rps")
    log(f"ratio service/limit req/s: {s_l:.2f}  (target ≥ 0.70: {'met' if s_l >= 0.7 else 'NOT met'})")
    log(f"ratio service/bare  req/s: {s_b:.2f}")
    log(f"ratio limit/bare    req/s: {med('limit', 'rps') / med('bare', 'rps'):.2f}")


def print_list_table(db_kind, by_size):
    pg = db_kind == "postgresql"
    log()
    log(f"== {db_kind}: GET /api/v1/requests as finance (sees all), per_page {PER_PAGE}; in-process "
        f"Flask test client, median of calls; SQL = time in cursor.execute summed over the request's "
        f"statements (SQLite: until the first row)" + ("; plan/exec = planning and execution time reported by EXPLAIN ANALYZE for the same "
              "statements, summed (median of 3)" if pg else "")
        + " ==")
    head = f"{'rows':>6} {'list':<18} {'total':>6} {'calls':>5} {'ms':>8} {'SQL ms':>8} {'stmts':>5}"
    log(head + (f" {'plan ms':>8} {'exec ms':>8}" if pg else ""))
    for rows, results in by_size:
        for r in results:
            line = (f"{rows:>6} {r['label']:<18} {r['total']:>6} {r['n']:>5} {r['wall']:>8.2f} "
                    f"{r['sql']:>8.2f} {r['statements']:>5}")
            if pg:
                line += f" {r['plan']:>8.2f} {r['exec']:>8.2f}"
            log(line)
    rows, results = by_size[-1]
    first, late = results[0], results[1]
    ratio = late["wall"] / first["wall"]
    log(f"at {rows} rows: {late['label']} / page 1 = {ratio:.2f} (whole request; target ≤ 2: "
        f"{'met' if ratio <= 2 else 'NOT met'}); SQL only {late['sql'] / first['sql']:.2f}")
    if pg:
        search = results[3]
        in_db = search["plan"] + search["exec"]
        log(f"at {rows} rows: search matching nothing, in the database (EXPLAIN ANALYZE, planning "
            f"{search['plan']:.2f} + execution {search['exec']:.2f}) = {in_db:.2f} ms over its "
            f"{search['statements']} statements (target ≤ 10 ms: {'met' if in_db <= 10 else 'NOT met'})")


# --- one database ---------------------------------------------------------------------------

def run_database(db_kind, args, use_wrk, workdir):
    if db_kind == "sqlite":
        path = os.path.join(workdir, "bench.db")
        app_url = f"sqlite:///{path}"
        service_url = app_url
    else:
        import psycopg
        try:
            pg_admin("create", PG_NAME)
        except psycopg.OperationalError as error:
            log(f"[postgresql] skipped: cannot create {PG_NAME} through {PG_ADMIN_URL}: {error}")
            return None
        service_url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_NAME}"
        app_url = "postgresql+psycopg://" + service_url[len("postgresql://"):]
    app = None
    try:
        t0 = time.perf_counter()
        app = make_app(app_url, workdir)
        province = Province(app)
        province.setup()
        log(f"[{db_kind}] schema by migrations and {len(province.units)} units, "
            f"{len(province.units) + 1} users by the services in {time.perf_counter() - t0:.1f} s")
        from app.extensions import db
        with app.app_context():
            capture = SqlCapture(db.engine)
        by_size = []
        for rows in sorted({min(args.small, args.rows), args.rows}):
            took = province.grow_to(rows)
            log(f"[{db_kind}] filled to {province.counts['requests']} requests, "
                f"{province.counts['lines']} lines, {province.counts['allocations']} allocations, "
                f"{province.counts['adjustments']} adjustments, {len(province.envelopes)} envelopes "
                f"(+{took:.1f} s)")
            by_size.append((rows, measure_lists(app, capture, province.token, rows, args.list_calls)))
        with app.app_context():
            import sqlalchemy as sa

            from budgets.models import Allocation
            all_ids = list(db.session.execute(sa.select(Allocation.id).order_by(Allocation.id)).scalars())
            with_adj = list(db.session.execute(sa.text(
                "SELECT DISTINCT allocation_id FROM allocation_adjustments ORDER BY 1 LIMIT 10")).scalars())
            db.session.remove()
            db.engine.dispose()
        step = max(1, len(all_ids) // 190)
        ids = sorted(set(all_ids[::step][:190] + with_adj))
        generator = "wrk" if use_wrk else "Python generator (threads, http.client, new connection each)"
        results = run_http(db_kind, service_url, province, ids, args.seconds, args.rounds, use_wrk, workdir)
        return {"db": db_kind, "http": results, "lists": by_size, "generator": generator,
                "counts": dict(province.counts), "ids": len(ids)}
    finally:
        if app is not None:
            from app.extensions import db
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        if db_kind == "postgresql":
            pg_admin("drop", PG_NAME)


def ensure_wrk() -> bool:
    """wrk on PATH, installed from Debian's packages when it is missing and this is root on Debian.
    Without it the Python generator drives the apps, and it caps the bare route near 1,300 req/s:
    the reference points would then measure the generator, not the apps."""
    if shutil.which("wrk"):
        return True
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("wrk is not on PATH: installing it (apt-get install wrk)")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (["apt-get", "install", "-y", "-qq", "wrk"],
                        ["sh", "-c", "apt-get update -qq && apt-get install -y -qq wrk"]):
            if subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=300).returncode == 0 and shutil.which("wrk"):
                return True
    log("!! wrk is not available: the Python generator drives the apps, and it is the bottleneck above "
        "about 1,300 req/s, so the ratios below understate the gaps (install wrk and run again)")
    return False


def _on_alarm(_signum, _frame):
    raise RunTimeout("the whole run passed --max-minutes; stopping")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=None, help="per measurement (5; quick 1)")
    parser.add_argument("--rounds", type=int, default=None, help="interleaved rounds (3; quick 2)")
    parser.add_argument("--rows", type=int, default=None, help="funding requests at full size (50000)")
    parser.add_argument("--small", type=int, default=None, help="the smaller list size (5000)")
    parser.add_argument("--list-calls", type=int, default=None, help="timed calls per list (7)")
    parser.add_argument("--quick", action="store_true", help="small sizes, short runs: a smoke run")
    parser.add_argument("--no-wrk", action="store_true", help="use the Python generator even if wrk exists")
    parser.add_argument("--max-minutes", type=float, default=14.0)
    args = parser.parse_args(argv)
    quick = {"seconds": 1, "rounds": 2, "rows": 2000, "small": 500, "list_calls": 3}
    full = {"seconds": 5, "rounds": 3, "rows": 50000, "small": 5000, "list_calls": 7}
    for key, value in (quick if args.quick else full).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.seconds != int(args.seconds):
        parser.error("--seconds must be whole (wrk takes whole seconds)")
    args.seconds = int(args.seconds)
    use_wrk = not args.no_wrk and ensure_wrk()
    kinds = {"sqlite": ["sqlite"], "postgres": ["postgresql"], "both": ["sqlite", "postgresql"]}[args.db]

    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(int(args.max_minutes * 60))
    load1, load5, _ = os.getloadavg()
    log(f"benchmarks/api.py: {os.cpu_count()} CPUs, load average {load1:.2f} / {load5:.2f} at start "
        f"(shared machine: other work may run); rows {args.rows} (small {args.small}), "
        f"{args.seconds} s × {args.rounds} rounds; load generator "
        f"{'wrk' if use_wrk else 'Python threads'}; gunicorn {WORKERS} workers, class {WORKER_CLASS}, "
        f"for all three apps; service config APP_CONFIG=production")
    workdir = tempfile.mkdtemp(prefix="pcb-bench-")
    started = time.perf_counter()
    reports = []
    try:
        for kind in kinds:
            report = run_database(kind, args, use_wrk, workdir)
            if report is not None:
                reports.append(report)
    finally:
        signal.alarm(0)
        shutil.rmtree(workdir, ignore_errors=True)
    for report in reports:
        c = report["counts"]
        log()
        log(f"######## {report['db']}: {c['requests']} requests, {c['lines']} lines, "
            f"{c['allocations']} allocations, {c['adjustments']} adjustments; "
            f"{report['ids']} allocation ids driven in turn")
        print_http_table(report["db"], report["http"], report["generator"], args.seconds, args.rounds)
        print_list_table(report["db"], report["lists"])
    load1, load5, _ = os.getloadavg()
    log()
    log(f"whole run {time.perf_counter() - started:.0f} s; load average {load1:.2f} / {load5:.2f} at end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
