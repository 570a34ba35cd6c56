"""A bounded mixed workload on a province-scale database, then the ledger and audit checks (issue 22). A script.

    .venv/bin/python benchmarks/load.py [--expenditures 100000] [--clients 50] [--seconds 60]
                                        [--workers 2] [--threads 4] [--url URL] [--keep-db]
                                        [--queue redis|sqlite] [--seed 2026] [--skip disclosure,export]

Not in the timed CI path: a run takes minutes (`--expenditures 1000000` for the documented size; the
generation then takes a few minutes more). What it does:

1. makes a fresh PostgreSQL database `pcb_load_<pid>` on 127.0.0.1:5432 and fills it with
   benchmarks/generate_province.py (`--url` instead copies an existing generated database with
   `CREATE DATABASE … TEMPLATE`, so the original is untouched); the copy is dropped at the end unless
   `--keep-db`;
2. serves it as the README's production command does (`gunicorn wsgi:app`, APP_CONFIG=production, a
   random SECRET_KEY; gthread, `--workers` × `--threads`, 2 × 4 by default, on 127.0.0.1 and a free
   port) and starts one `flask worker` for the export jobs (the queue in Redis at
   redis://127.0.0.1:6379/15 when it answers, otherwise a huey SQLite file in the temporary folder).
   TOTP_REQUIRED_ROLES is emptied: the generated finance officer has no authenticator app;
3. logs in (before the clock starts) `taichinh` (finance), `kiemtoan` (auditor), the DIC's officer and
   unit officers, with API tokens (and, for the clients that export, a web session through the login
   form and its CSRF token), and drives `--clients` threads for `--seconds`, each on one keep-alive
   connection (http.client), each a role with a weighted mix of: lists (allocations, commissions,
   expenditures with filters and pages), details, POST allocations (a few million đồng from an
   envelope with room), POST transfers between two allocations of the year, approvals of proposed
   commissions, direct spending and advances with an Idempotency-Key (a fifth of them sent again with
   the same key and body: the answer must be the same), export jobs started through the web form and
   polled until done (two at a time at most), and the public disclosure (`/cong-khai`, its API);
4. stops the clients, waits (bounded) for the export jobs, stops the servers, and runs
   `flask --app wsgi ledger check`, `flask --app wsgi audit verify` and its own SQL checks of the
   rules: no allocation with committed + spent > amount, no negative balance, every envelope's
   allocated ≤ its total and equal to its allocations' sum, no commission with outstanding advance
   above what it advanced.

Each answer is counted as ok (2xx, 3xx), refused (4xx: a rule's refusal such as 409
insufficient_funds, or the public routes' 429 rate limit of 60 per minute per worker, since every
client comes from 127.0.0.1), a server error (5xx) or a transport error. It prints per kind the count,
ok, refused, 5xx, requests/s and p50/p95/p99 in ms, the totals, the refusals by code and the checks,
and exits 1 on any 5xx, transport error, idempotency mismatch, rule violation or failed check (the
first 5xx answers and the gunicorn log's tracebacks are printed).
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
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from datetime import date
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/15"
PASSWORD = "benchmark-matkhau-2026"  # benchmarks/generate_province.py's PASSWORD
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
DIRECT_CATEGORIES = ("training", "operations", "other")
MAX_EXPORTS_IN_FLIGHT = 2
RETRY_SHARE = 0.2  # idempotent POSTs sent a second time with the same key and body

# The weighted mix of each role: kind -> weight.
MIX = {
    "finance": {"list_allocations": 3, "list_commissions": 2, "list_expenditures": 2, "detail": 3,
                "allocate": 2, "transfer": 2, "approve": 1, "export": 0.3, "disclosure": 0.5},
    "auditor": {"list_allocations": 2, "list_commissions": 2, "list_expenditures": 3, "detail": 4,
                "export": 0.3, "disclosure": 0.5},
    "dic": {"list_allocations": 2, "list_commissions": 2, "list_expenditures": 2, "detail": 3, "spend": 3,
            "advance": 2, "disclosure": 0.5},
    "unit": {"list_allocations": 2, "list_commissions": 1, "list_expenditures": 2, "detail": 3, "spend": 3,
             "advance": 1, "disclosure": 0.5},
}


def log(message=""):
    print(message, flush=True)


def percentile(sorted_values, pct):
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, max(0, math.ceil(pct / 100 * len(sorted_values)) - 1))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def admin(sql: str):
    import psycopg
    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


# --- the province as the clients see it --------------------------------------------------------

class World:
    """Ids read once before the clock starts; the proposed commissions are taken one by one."""

    def __init__(self, url: str):
        import psycopg
        with psycopg.connect(plain(url)) as conn:
            self.year = conn.execute("SELECT MAX(fiscal_year) FROM envelopes").fetchone()[0]
            rows = conn.execute(
                "SELECT a.id, u.code, a.category, e.code FROM allocations a JOIN envelopes e ON e.id = a.envelope_id "
                "JOIN units u ON u.id = a.unit_id WHERE e.fiscal_year = %s ORDER BY a.id", (self.year,)).fetchall()
            self.allocations = [r[0] for r in rows]
            self.by_unit = defaultdict(list)        # unit code -> allocation ids
            self.direct_of = defaultdict(list)      # unit code -> allocation ids of direct categories
            for alloc_id, code, category, _env in rows:
                self.by_unit[code].append(alloc_id)
                if category in DIRECT_CATEGORIES:
                    self.direct_of[code].append(alloc_id)
            self.envelopes = [r[0] for r in conn.execute(
                "SELECT id FROM envelopes WHERE fiscal_year = %s AND code = 'NKP-TTCS' AND total > allocated",
                (self.year,)).fetchall()]
            self.units = [r[0] for r in conn.execute("SELECT code FROM units WHERE active ORDER BY code").fetchall()]
            commissions = conn.execute(
                "SELECT c.id, c.status, c.allocation_id, u.code FROM commissions c "
                "JOIN allocations a ON a.id = c.allocation_id JOIN envelopes e ON e.id = a.envelope_id "
                "JOIN units u ON u.id = a.unit_id WHERE e.fiscal_year = %s ORDER BY c.id", (self.year,)).fetchall()
            self.proposed = [c[0] for c in commissions if c[1] == "proposed"]
            random.Random(1).shuffle(self.proposed)
            self.signed = defaultdict(list)         # unit code -> (commission id, allocation id)
            self.commissions_of = defaultdict(list)
            for c_id, status, alloc_id, code in commissions:
                self.commissions_of[code].append(c_id)
                if status == "signed":
                    self.signed[code].append((c_id, alloc_id))
            self.commission_ids = [c[0] for c in commissions]
            self.expenditures_of = defaultdict(list)
            self.expenditure_ids = []
            for e_id, code in conn.execute(
                    "SELECT x.id, u.code FROM expenditures x JOIN units u ON u.id = x.unit_id "
                    "WHERE x.id % 53 = 0 ORDER BY x.id").fetchall():
                self.expenditures_of[code].append(e_id)
                self.expenditure_ids.append(e_id)
            self.dic_code = conn.execute(
                "SELECT u.code FROM users s JOIN units u ON u.id = s.unit_id WHERE s.role = 'dic_officer' "
                "ORDER BY s.id LIMIT 1").fetchone()[0]
        self.lock = threading.Lock()
        today = date.today()
        self.day = min(today, date(self.year, 12, 31)).isoformat()

    def take_proposed(self):
        with self.lock:
            return self.proposed.pop() if self.proposed else None


# --- HTTP ----------------------------------------------------------------------------------------

class Connection:
    """One keep-alive connection; a request on a connection the server closed meanwhile is sent again."""

    def __init__(self, port):
        self.port = port
        self.conn = None
        self.cookies = {}

    def request(self, method, path, body=None, headers=None, form=None):
        headers = dict(headers or {})
        data = None
        if form is not None:
            data = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            fresh = self.conn is None
            if fresh:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                payload = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if fresh or attempt == 2:
                    raise
                continue
            for value in response.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie()
                cookie.load(value)
                for name, morsel in cookie.items():
                    self.cookies[name] = morsel.value
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return response.status, payload, response
        raise AssertionError("unreachable")

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class Tally:
    def __init__(self):
        self.latency = defaultdict(list)     # kind -> seconds
        self.outcome = defaultdict(Counter)  # kind -> ok / refused / 5xx / transport
        self.codes = Counter()               # (kind, status, error code) of refusals
        self.server_errors = []              # (kind, method, path, status, body head)
        self.transport = []
        self.idempotent_retries = 0
        self.idempotent_mismatches = []

    def merge(self, other):
        for kind, values in other.latency.items():
            self.latency[kind].extend(values)
        for kind, counter in other.outcome.items():
            self.outcome[kind].update(counter)
        self.codes.update(other.codes)
        self.server_errors.extend(other.server_errors)
        self.transport.extend(other.transport)
        self.idempotent_retries += other.idempotent_retries
        self.idempotent_mismatches.extend(other.idempotent_mismatches)


class Client(threading.Thread):
    def __init__(self, number, role, username, unit, token, port, world, stop, exports, seed, skip=()):
        super().__init__(name=f"client-{number}", daemon=True)
        self.number, self.role, self.username, self.unit = number, role, username, unit
        self.auth = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self.http = Connection(port)
        self.web = None  # a second connection with the web session, for the exports
        self.world, self.stop, self.exports = world, stop, exports
        self.rng = random.Random(seed)
        self.tally = Tally()
        self.sent = 0
        self.job = None
        mix = {kind: weight for kind, weight in MIX[role].items() if kind not in skip}
        if role in ("unit", "dic"):
            if not world.direct_of.get(unit):
                mix.pop("spend", None)
            if not world.signed.get(unit):
                mix.pop("advance", None)
        self.kinds, self.weights = list(mix) or ["list_allocations"], list(mix.values()) or [1]

    # one request, timed and classified
    def call(self, kind, method, path, body=None, headers=None, conn=None, form=None):
        conn = conn or self.http
        started = time.perf_counter()
        try:
            status, payload, response = conn.request(method, path, body=body, headers=headers, form=form)
        except (OSError, http.client.HTTPException) as error:
            self.tally.outcome[kind]["transport"] += 1
            self.tally.transport.append((kind, method, path, repr(error)))
            conn.close()
            return None, b"", None
        self.tally.latency[kind].append(time.perf_counter() - started)
        if status < 400:
            self.tally.outcome[kind]["ok"] += 1
        elif status < 500:
            self.tally.outcome[kind]["refused"] += 1
            try:
                code = json.loads(payload).get("error", "")
            except (ValueError, AttributeError):
                code = "(page)"
            self.tally.codes[(kind, status, code)] += 1
        else:
            self.tally.outcome[kind]["5xx"] += 1
            self.tally.server_errors.append((kind, method, path, status, payload[:300]))
        return status, payload, response

    def idempotent_post(self, kind, path, body):
        headers = {**self.auth, "Idempotency-Key": f"load-{uuid.uuid4()}"}
        first = self.call(kind, "POST", path, body, headers)
        if first[0] is not None and first[0] < 500 and self.rng.random() < RETRY_SHARE:
            again = self.call(kind + "_retry", "POST", path, body, headers)
            self.tally.idempotent_retries += 1
            if again[0] is not None and (again[0], _json(again[1])) != (first[0], _json(first[1])):
                self.tally.idempotent_mismatches.append((path, first[0], again[0], first[1][:200], again[1][:200]))

    def run(self):
        while not self.stop.is_set():
            kind = self.rng.choices(self.kinds, self.weights)[0]
            getattr(self, "do_" + kind)()
            self.sent += 1
        self.http.close()
        if self.web is not None:
            self.web.close()

    # --- reads
    def do_list_allocations(self):
        params = {"fiscal_year": self.world.year, "page": self.rng.randint(1, 3), "per_page": 50}
        if self.rng.random() < 0.4:
            params["category"] = self.rng.choice(DIRECT_CATEGORIES)
        if self.role in ("finance", "auditor") and self.rng.random() < 0.4:
            params["unit"] = self.rng.choice(self.world.units)
        self.call("list_allocations", "GET", "/api/v1/allocations?" + urlencode(params), headers=self.auth)

    def do_list_commissions(self):
        params = {"fiscal_year": self.world.year, "page": self.rng.randint(1, 5), "per_page": 50}
        if self.rng.random() < 0.5:
            params["status"] = self.rng.choice(("signed", "closed", "approved", "proposed"))
        self.call("list_commissions", "GET", "/api/v1/commissions?" + urlencode(params), headers=self.auth)

    def do_list_expenditures(self):
        params = {"page": self.rng.randint(1, 20), "per_page": 50}
        roll = self.rng.random()
        own = self.world.by_unit.get(self.unit) if self.unit else None
        if roll < 0.4 and (own or self.world.allocations):
            params["allocation_id"] = self.rng.choice(own or self.world.allocations)
            params["page"] = 1
        elif roll < 0.7:
            params["kind"] = self.rng.choice(("advance", "payment", "recovery", "direct"))
        self.call("list_expenditures", "GET", "/api/v1/expenditures?" + urlencode(params), headers=self.auth)

    def do_detail(self):
        w, unit = self.world, self.unit
        choices = []
        allocations = w.by_unit.get(unit) if unit else w.allocations
        commissions = w.commissions_of.get(unit) if unit else w.commission_ids
        expenditures = w.expenditures_of.get(unit) if unit else w.expenditure_ids
        for prefix, ids in (("allocations", allocations), ("commissions", commissions),
                            ("expenditures", expenditures)):
            if ids:
                choices.append((prefix, ids))
        if not choices:
            return self.do_list_allocations()
        prefix, ids = self.rng.choice(choices)
        self.call("detail", "GET", f"/api/v1/{prefix}/{self.rng.choice(ids)}", headers=self.auth)

    def do_disclosure(self):
        if self.rng.random() < 0.5:
            self.call("disclosure", "GET", "/cong-khai", headers={"Accept": "text/html"})
        else:
            self.call("disclosure", "GET", f"/api/v1/public/disclosure?fiscal_year={self.world.year}")

    # --- finance's writes
    def do_allocate(self):
        w = self.world
        if not w.envelopes:
            return self.do_list_allocations()
        self.idempotent_post("allocate", "/api/v1/allocations", {
            "envelope_id": self.rng.choice(w.envelopes), "unit_code": self.rng.choice(w.units),
            "category": self.rng.choice(DIRECT_CATEGORIES), "amount": self.rng.randint(1, 50) * 100_000,
            "decision_no": f"{self.rng.randint(1, 9999)}/QĐ-STC", "decision_date": w.day})

    def do_transfer(self):
        w = self.world
        source, target = self.rng.sample(w.allocations, 2)
        self.idempotent_post("transfer", "/api/v1/transfers", {
            "from_allocation_id": source, "to_allocation_id": target, "amount": self.rng.randint(1, 20) * 100_000,
            "decision_no": f"{self.rng.randint(1, 9999)}/QĐ-STC", "decision_date": w.day,
            "reason": "Điều chỉnh dự toán (kiểm tra tải)"})

    def do_approve(self):
        commission_id = self.world.take_proposed()
        if commission_id is None:
            return self.do_list_commissions()
        self.call("approve", "POST", f"/api/v1/commissions/{commission_id}/approve", headers=self.auth)

    # --- a unit's spending
    def voucher(self):
        return f"LT{self.number:02d}-{self.sent:05d}-{self.rng.randint(0, 9999):04d}"

    def do_spend(self):
        self.idempotent_post("spend", "/api/v1/expenditures", {
            "allocation_id": self.rng.choice(self.world.direct_of[self.unit]), "kind": "direct",
            "amount": self.rng.randint(1, 40) * 50_000, "paid_on": self.world.day, "voucher_no": self.voucher(),
            "payee": "Công ty TNHH In ấn Gia Lai", "description": "Chi trực tiếp (kiểm tra tải)"})

    def do_advance(self):
        commission_id, allocation_id = self.rng.choice(self.world.signed[self.unit])
        self.idempotent_post("advance", "/api/v1/expenditures", {
            "allocation_id": allocation_id, "commission_id": commission_id, "kind": "advance",
            "amount": self.rng.randint(1, 20) * 100_000, "paid_on": self.world.day, "voucher_no": self.voucher(),
            "payee": "Nhà cung cấp", "description": "Tạm ứng (kiểm tra tải)"})

    # --- export jobs, through the web pages
    def web_login(self):
        self.web = Connection(self.http.port)
        status, page, _ = self.call("web_login", "GET", "/login", conn=self.web)
        match = CSRF.search(page.decode("utf-8", "replace")) if status == 200 else None
        if not match:
            return False
        status, _page, _ = self.call("web_login", "POST", "/login", conn=self.web, form={
            "csrf_token": match.group(1), "username": self.username, "password": PASSWORD})
        return status == 302

    def do_export(self):
        if self.job is not None:
            status, payload, _ = self.call("export_status", "GET", f"/reports/exports/{self.job}.json",
                                           conn=self.web)
            if status == 200 and json.loads(payload)["status"] in ("done", "failed"):
                self.exports.finished(self.job, json.loads(payload)["status"])
                self.job = None
            return
        if self.web is None and not self.web_login():
            return
        if not self.exports.acquire():
            return self.do_list_expenditures()
        status, page, _ = self.call("export", "GET", "/reports", conn=self.web)
        match = CSRF.search(page.decode("utf-8", "replace")) if status == 200 else None
        if not match:
            self.exports.release()
            return
        status, _page, response = self.call("export", "POST", "/reports/exports", conn=self.web, form={
            "csrf_token": match.group(1), "kind": "ledger_csv", "fiscal_year": self.world.year})
        found = re.search(r"/reports/exports/(\d+)", response.getheader("Location", "")) if status == 302 else None
        if found:
            self.job = int(found.group(1))
            self.exports.started(self.job)
        else:
            self.exports.release()


def _json(payload):
    try:
        return json.loads(payload)
    except ValueError:
        return payload


class Exports:
    """At most MAX_EXPORTS_IN_FLIGHT jobs at once, province-wide."""

    def __init__(self):
        self.slots = threading.Semaphore(MAX_EXPORTS_IN_FLIGHT)
        self.lock = threading.Lock()
        self.jobs = {}  # id -> (started, finished or None, status)

    def acquire(self):
        return self.slots.acquire(blocking=False)

    def release(self):
        self.slots.release()

    def started(self, job_id):
        with self.lock:
            self.jobs[job_id] = (time.perf_counter(), None, "queued")

    def finished(self, job_id, status):
        with self.lock:
            began = self.jobs[job_id][0]
            self.jobs[job_id] = (began, time.perf_counter(), status)
        self.release()


# --- servers -------------------------------------------------------------------------------------

class Process:
    def __init__(self, name, command, env, workdir):
        self.name = name
        self.log_path = os.path.join(workdir, f"{name}.log")
        self.log_file = open(self.log_path, "wb")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log_file, stderr=subprocess.STDOUT,
                                        start_new_session=True)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # the session this script started
                self.process.wait(timeout=5)
        self.log_file.close()

    def tail(self, chars=4000):
        with open(self.log_path, encoding="utf-8", errors="replace") as fh:
            return fh.read()[-chars:]


def wait_ready(port, server, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/openapi.json")
            if conn.getresponse().status == 200:
                conn.close()
                return
            conn.close()
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer on port {port}:\n{server.tail()}")


def tokens(port, usernames):
    """An API token per user (the password checks before the clock starts)."""
    found = {}
    conn = Connection(port)
    for username in usernames:
        status, payload, _ = conn.request("POST", "/api/v1/auth/token",
                                          body={"username": username, "password": PASSWORD})
        if status != 201:
            raise RuntimeError(f"login of {username}: {status} {payload[:300]!r}")
        found[username] = json.loads(payload)["token"]
    conn.close()
    return found


# --- the checks after the run --------------------------------------------------------------------

RULES = {
    "allocations with committed + spent > amount":
        "SELECT COUNT(*) FROM allocations WHERE committed + spent > amount",
    "allocations with a negative amount, commitment or spending":
        "SELECT COUNT(*) FROM allocations WHERE amount < 0 OR committed < 0 OR spent < 0",
    "envelopes with allocated > total or a negative balance":
        "SELECT COUNT(*) FROM envelopes WHERE allocated > total OR allocated < 0 OR total < 0",
    "envelopes whose allocated differs from their allocations' sum":
        "SELECT COUNT(*) FROM envelopes e WHERE e.allocated <> "
        "(SELECT COALESCE(SUM(a.amount), 0) FROM allocations a WHERE a.envelope_id = e.id)",
    "commissions with a negative balance or outstanding advance above the advanced":
        "SELECT COUNT(*) FROM commissions WHERE committed < 0 OR advanced < 0 OR outstanding_advance < 0 "
        "OR paid < 0 OR outstanding_advance > advanced",
    "duplicate expenditure numbers":
        "SELECT COUNT(*) - COUNT(DISTINCT number) FROM expenditures",
}


def rule_violations(url):
    import psycopg
    with psycopg.connect(plain(url)) as conn:
        return {name: conn.execute(sql).fetchone()[0] for name, sql in RULES.items()}


def flask_check(env, *command):
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *command], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    output = (done.stdout + done.stderr).strip()
    return done.returncode, output, time.perf_counter() - started


# --- the run -------------------------------------------------------------------------------------

def plan_clients(world, count, rng):
    """(role, username, unit) per client: a sixth finance, a tenth auditors, one DIC, the rest units."""
    finance = max(1, count // 6)
    auditors = max(1, count // 10) if count > 2 else 0
    dic = 1 if count > 1 else 0
    units = [u for u in world.units if u != world.dic_code and (world.direct_of.get(u) or world.signed.get(u))]
    rng.shuffle(units)
    plan = [("finance", "taichinh", None)] * finance + [("auditor", "kiemtoan", None)] * auditors
    plan += [("dic", f"dv-{world.dic_code.lower()}", world.dic_code)] * dic
    for i in range(count - len(plan)):
        code = units[i % len(units)]
        plan.append(("unit", f"dv-{code.lower()}", code))
    return plan


def print_table(tally, seconds):
    log()
    log(f"{'kind':<20}{'count':>8}{'ok':>8}{'refused':>9}{'5xx':>6}{'transp.':>8}{'req/s':>9}"
        f"{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    every = []
    totals = Counter()
    for kind in sorted(set(tally.outcome) | set(tally.latency)):
        values = sorted(tally.latency[kind])
        every.extend(values)
        o = tally.outcome[kind]
        count = sum(o.values())
        totals.update(o)
        log(f"{kind:<20}{count:>8}{o['ok']:>8}{o['refused']:>9}{o['5xx']:>6}{o['transport']:>8}"
            f"{count / seconds:>9.1f}{percentile(values, 50) * 1000:>9.1f}{percentile(values, 95) * 1000:>9.1f}"
            f"{percentile(values, 99) * 1000:>9.1f}")
    every.sort()
    count = sum(totals.values())
    log(f"{'total':<20}{count:>8}{totals['ok']:>8}{totals['refused']:>9}{totals['5xx']:>6}{totals['transport']:>8}"
        f"{count / seconds:>9.1f}{percentile(every, 50) * 1000:>9.1f}{percentile(every, 95) * 1000:>9.1f}"
        f"{percentile(every, 99) * 1000:>9.1f}")
    if tally.codes:
        log()
        log("refusals (kind, status, error): " + "; ".join(
            f"{kind} {status} {code or '-'} ×{n}" for (kind, status, code), n in sorted(tally.codes.items())))
    return totals


def run(args, workdir):
    rng = random.Random(args.seed)
    name = f"pcb_load_{os.getpid()}"
    url = with_database(PG_ADMIN_URL, name)
    servers = []
    made = False
    try:
        started = time.perf_counter()
        if args.url:
            source = urlsplit(plain(args.url)).path.lstrip("/")
            admin(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
            made = True
            log(f"database {name}: a copy of {source} ({time.perf_counter() - started:.1f} s)")
        else:
            admin(f'CREATE DATABASE "{name}"')
            made = True
            log(f"database {name}: generating {args.expenditures:,} expenditures with benchmarks/generate_province.py")
            done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate_province.py"), url,
                                   "--expenditures", str(args.expenditures), "--seed", str(args.seed)],
                                  cwd=ROOT, capture_output=True, text=True, timeout=3600)
            for line in done.stdout.strip().splitlines():
                log(f"  {line}")
            if done.returncode:
                raise RuntimeError(f"generate_province.py failed:\n{done.stderr[-3000:]}")
            log(f"  generated in {time.perf_counter() - started:.1f} s")

        world = World(url)
        use_redis = args.queue == "redis" or (args.queue == "auto" and redis_answers())
        env = {**os.environ, "DATABASE_URL": url, "APP_CONFIG": "production",
               "SECRET_KEY": secrets.token_urlsafe(36), "TOTP_REQUIRED_ROLES": "",
               "UPLOAD_FOLDER": os.path.join(workdir, "uploads"), "EXPORT_FOLDER": os.path.join(workdir, "exports")}
        env.pop("HUEY_URL", None)
        env.pop("HUEY_SQLITE", None)
        if use_redis:
            env["HUEY_URL"] = args.redis_url
        else:
            env["HUEY_SQLITE"] = os.path.join(workdir, "huey.db")
        port = free_port()
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        server = Process("gunicorn", [gunicorn, "--workers", str(args.workers), "--threads", str(args.threads),
                                      "--worker-class", "gthread", "--bind", f"127.0.0.1:{port}", "--timeout", "60",
                                      "--graceful-timeout", "10", "--log-level", "warning", "wsgi:app"],
                         env, workdir)
        servers.append(server)
        worker = Process("worker", [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--workers", "1"],
                         env, workdir)
        servers.append(worker)
        wait_ready(port, server)
        load1, load5, _ = os.getloadavg()
        log(f"gunicorn wsgi:app (APP_CONFIG=production) on 127.0.0.1:{port}: {args.workers} workers × "
            f"{args.threads} threads (gthread); flask worker, queue {'Redis ' + args.redis_url if use_redis else 'SQLite'}")
        log(f"year {world.year}: {len(world.allocations)} allocations, {len(world.commission_ids)} commissions "
            f"({len(world.proposed)} proposed), {len(world.envelopes)} envelope(s) with room; "
            f"{os.cpu_count()} CPUs, load average {load1:.2f} / {load5:.2f}")

        plan = plan_clients(world, args.clients, rng)
        t0 = time.perf_counter()
        found = tokens(port, sorted({username for _role, username, _unit in plan}))
        roles = Counter(role for role, _u, _c in plan)
        log(f"{len(found)} users logged in ({time.perf_counter() - t0:.1f} s); clients: "
            + ", ".join(f"{n} {role}" for role, n in roles.items()))

        stop, exports = threading.Event(), Exports()
        clients = [Client(i, role, username, unit, found[username], port, world, stop, exports, rng.random(),
                          set(args.skip))
                   for i, (role, username, unit) in enumerate(plan)]
        log(f"driving {len(clients)} clients for {args.seconds:.0f} s …")
        begun = time.perf_counter()
        for client in clients:
            client.start()
        time.sleep(args.seconds)
        stop.set()
        for client in clients:
            client.join(timeout=90)
        elapsed = time.perf_counter() - begun
        tally = Tally()
        for client in clients:
            tally.merge(client.tally)

        # the export jobs still queued or running: watched to the end (bounded)
        pending = [(c, c.job) for c in clients if c.job is not None]
        deadline = time.monotonic() + 180
        while pending and time.monotonic() < deadline:
            for client, job in list(pending):
                status, payload, _ = client.web.request("GET", f"/reports/exports/{job}.json")
                if status == 200 and json.loads(payload)["status"] in ("done", "failed"):
                    exports.finished(job, json.loads(payload)["status"])
                    pending.remove((client, job))
            time.sleep(0.5)
        for client, _job in pending:
            client.web.close()
        log(f"clients stopped after {elapsed:.1f} s (all joined: {not any(c.is_alive() for c in clients)})")
        for process in reversed(servers):
            process.stop()
        server_log = server.tail(12000)

        totals = print_table(tally, elapsed)
        jobs = exports.jobs.values()
        times = sorted(end - began for began, end, status in jobs if end is not None)
        log()
        log(f"export jobs: {len(exports.jobs)} started, {sum(1 for j in jobs if j[2] == 'done')} done, "
            f"{sum(1 for j in jobs if j[2] == 'failed')} failed, {sum(1 for j in jobs if j[1] is None)} unfinished; "
            f"start to done p50 {percentile(times, 50):.1f} s, max {times[-1] if times else float('nan'):.1f} s")
        log(f"idempotent retries: {tally.idempotent_retries}, same answer {tally.idempotent_retries - len(tally.idempotent_mismatches)}, "
            f"different {len(tally.idempotent_mismatches)}")
        for mismatch in tally.idempotent_mismatches[:5]:
            log(f"  DIFFERENT {mismatch}")

        failed = False
        for kind, method, path, status, body in tally.server_errors[:10]:
            log(f"  5xx {kind} {method} {path} → {status} {body!r}")
        for item in tally.transport[:10]:
            log(f"  TRANSPORT {item}")
        if totals["5xx"] or totals["transport"]:
            failed = True
            log("gunicorn log (tail):")
            log(server_log)

        log()
        log("checks:")
        check_env = {**env, "APP_CONFIG": "development"}
        for command in (("ledger", "check"), ("audit", "verify")):
            code, output, took = flask_check(check_env, *command)
            failed |= code != 0
            log(f"  flask --app wsgi {' '.join(command)}: exit {code} ({took:.1f} s): {output[-800:]}")
        for rule, count in rule_violations(url).items():
            failed |= count != 0
            log(f"  {rule}: {count}")
        failed |= bool(tally.idempotent_mismatches)
        exported = [j for j in jobs if j[2] == "failed" or j[1] is None]
        failed |= bool(exported)
        log()
        log(f"RESULT: {'FAIL' if failed else 'PASS'} ({totals['5xx']} server errors, "
            f"{sum(tally.outcome[k]['refused'] for k in tally.outcome)} refusals, "
            f"{sum(tally.outcome[k]['ok'] for k in tally.outcome)} ok, {sum(totals.values()) / elapsed:.1f} req/s)")
        return 1 if failed else 0
    finally:
        for process in servers:
            if process.process.poll() is None:
                process.stop()
        if made and not args.keep_db:
            admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        elif made:
            log(f"kept the database: {url}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--expenditures", type=int, default=100_000, help="rows generated (1000000 documented)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--url", help="a database generated before: copied with CREATE DATABASE … TEMPLATE")
    parser.add_argument("--keep-db", action="store_true", help="keep the database the run wrote to")
    parser.add_argument("--queue", choices=("auto", "redis", "sqlite"), default="auto",
                        help="the export jobs' queue: Redis when it answers (auto), or huey's SQLite file")
    parser.add_argument("--redis-url", default=REDIS_URL)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--skip", type=lambda text: [k for k in text.split(",") if k], default=[],
                        help="kinds left out of the mix, comma-separated (e.g. disclosure,export)")
    args = parser.parse_args(argv)
    unknown = set(args.skip) - {kind for mix in MIX.values() for kind in mix}
    if unknown:
        parser.error(f"--skip: unknown kinds {sorted(unknown)}")
    if args.clients < 1 or args.seconds <= 0:
        parser.error("--clients and --seconds must be positive")
    workdir = tempfile.mkdtemp(prefix="pcb-load-")
    try:
        return run(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
