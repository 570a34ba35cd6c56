"""Builders shared by every test area: real rows made through the services and the HTTP API."""
import html
import itertools
import logging
import os
import re
import shutil
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.pool import NullPool
from werkzeug.serving import make_server

from app.core.database import engines
from app.extensions import db

PASSWORD = "correct-horse-battery"

DIC_UNIT_CODE = "SVHTTDL"


@contextmanager
def postgres_database(url: sa.URL, name: str, *, template: str | None = None):
    """A database `name` on the PostgreSQL server of `url`, made empty (or a copy of `template`) and
    dropped WITH (FORCE) afterwards, whatever the test did; yields its URL. A database left with that
    name by an earlier run is dropped first."""
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)

    def run(statement):
        with admin.connect() as connection:
            connection.exec_driver_sql(statement)

    try:
        run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        run(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        yield url.set(database=name)
    finally:
        run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

# The roles world: units (code, name, kind) and people (key: username, role, unit code).
ROLE_UNITS = (
    ("STC", "Sở Tài chính", "department"),
    (DIC_UNIT_CODE, "Sở Văn hóa, Thể thao và Du lịch", "department"),
    ("STP", "Sở Tư pháp", "department"),
    ("ANNHON", "UBND phường An Nhơn", "local_government"),
)
ROLE_PEOPLE = {
    "unit": ("donvi", "unit_officer", "STP"),
    "dic": ("sotttt", "dic_officer", DIC_UNIT_CODE),
    "other_unit": ("huyen", "unit_officer", "ANNHON"),
    "finance": ("taichinh", "finance_officer", None),
    "auditor": ("kiemtoan", "auditor", None),
    "admin": ("quantri", "admin", None),
}


class World:
    """Makes units, users and tokens with the real services; returns plain values."""

    def __init__(self, app):
        self.app = app

    def unit(self, code, name=None, kind="department"):
        from app.units.services import create_unit
        with self.app.app_context():
            unit = create_unit(None, code=code, name=name or f"Đơn vị {code}", kind=kind)
            db.session.commit()
            return unit.id

    def user(self, username, role, unit_code=None, password=PASSWORD, full_name=None):
        from app.auth.services import create_user
        with self.app.app_context():
            user = create_user(None, username=username, password=password,
                               full_name=full_name or username.title(), role=role, unit_code=unit_code)
            db.session.commit()
            return user.id

    def token(self, username):
        from app.auth.services import get_user_by_username, issue_token
        with self.app.app_context():
            raw, _ = issue_token(get_user_by_username(username))
            db.session.commit()
            return raw


class ApiClient:
    """A test client that speaks JSON with a bearer token."""

    def __init__(self, client, token=None):
        self.client, self.token = client, token

    def _headers(self, headers=None):
        merged = dict(headers or {})
        if self.token:
            merged.setdefault("Authorization", f"Bearer {self.token}")
        return merged

    def get(self, path, **kw):
        return self.client.get(path, headers=self._headers(kw.pop("headers", None)), **kw)

    def post(self, path, json=None, **kw):
        return self.client.post(path, json=json, headers=self._headers(kw.pop("headers", None)), **kw)

    def patch(self, path, json=None, **kw):
        return self.client.patch(path, json=json, headers=self._headers(kw.pop("headers", None)), **kw)

    def delete(self, path, **kw):
        return self.client.delete(path, headers=self._headers(kw.pop("headers", None)), **kw)


class LiveServer:
    """The app served by werkzeug in a thread (request logs silenced)."""

    def __init__(self, app):
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        # shutdown() waits for the serving loop to notice: poll often, or every stop costs 0.5 s
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.thread.join(timeout=5)


# --- saved worlds: build the data once, give each test a clean copy -------------------------

KEEP_TABLES = {"alembic_version", "unit_kinds"}  # written by the migrations only


def data_tables():
    return [t for t in db.metadata.sorted_tables if t.name not in KEEP_TABLES]


@dataclass
class Snapshot:
    """A saved state of every data table. SQLite: a file beside the database; PostgreSQL: the rows
    and the values of the id sequences, in memory."""
    name: str
    rows: dict = field(default_factory=dict)
    sequences: list = field(default_factory=list)  # (sequence name, last_value, is_called)


def take_snapshot(app, name: str) -> Snapshot:
    """Save the database as it is now (the rows were made through the services)."""
    with app.app_context():
        db.session.remove()
        engine = db.engine
        snapshot = Snapshot(name)
        if engine.dialect.name == "sqlite":
            engine.dispose()
            path = engine.url.database
            raw = sqlite3.connect(path, isolation_level=None)
            try:  # fold the WAL into the file before copying it
                raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                raw.close()
            shutil.copyfile(path, f"{path}.{name}")
            return snapshot
        with engine.connect() as conn:
            for table in data_tables():
                snapshot.rows[table.name] = [dict(row._mapping) for row in conn.execute(table.select())]
                for column in table.primary_key.columns:
                    sequence = conn.execute(sa.text("SELECT pg_get_serial_sequence(:t, :c)"),
                                            {"t": table.name, "c": column.name}).scalar()
                    if sequence:
                        value, called = conn.execute(
                            sa.text(f"SELECT last_value, is_called FROM {sequence}")).one()
                        snapshot.sequences.append((sequence, value, called))
        return snapshot


def restore_snapshot(app, snapshot: Snapshot):
    """Put the database back as it was saved. SQLite: copy the saved file over the database.
    PostgreSQL, in one transaction: DELETE every row with triggers off (the audit trail's
    append-only guard and the foreign-key checks; DELETE of a few rows costs some 4 ms where
    TRUNCATE of every table costs 40), INSERT the saved rows, set the sequences back."""
    with app.app_context():
        db.session.remove()
        engine = db.engine
        if engine.dialect.name == "sqlite":
            engine.dispose()
            path = engine.url.database
            for suffix in ("-wal", "-shm"):
                if os.path.exists(path + suffix):
                    os.remove(path + suffix)
            shutil.copyfile(f"{path}.{snapshot.name}", path)
            return
        tables = data_tables()
        with engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL synchronous_commit = off")  # a test database: no fsync wait
            if conn.exec_driver_sql("SHOW is_superuser").scalar() == "on":
                conn.exec_driver_sql("SET LOCAL session_replication_role = replica; "
                                     + "; ".join(f'DELETE FROM "{t.name}"' for t in reversed(tables)))
            else:  # turning triggers off needs a superuser
                conn.exec_driver_sql("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables)
                                     + " RESTART IDENTITY CASCADE")
            for table in tables:
                if snapshot.rows.get(table.name):
                    conn.execute(table.insert(), snapshot.rows[table.name])
            if snapshot.sequences:
                params = {}
                for i, (sequence, value, called) in enumerate(snapshot.sequences):
                    params.update({f"s{i}": sequence, f"v{i}": value, f"c{i}": called})
                conn.execute(sa.text("SELECT " + ", ".join(
                    f"setval(:s{i}, :v{i}, :c{i})" for i in range(len(snapshot.sequences)))), params)


def wipe_data(app):
    """Every data row gone and every id sequence back at its start (PostgreSQL; a SQLite test
    database is a new file each run): what the migrations alone leave."""
    with app.app_context():
        db.session.remove()
        if db.engine.dialect.name != "postgresql":
            return
        with db.engine.begin() as conn:
            conn.exec_driver_sql("TRUNCATE " + ", ".join(f'"{t.name}"' for t in data_tables())
                                 + " RESTART IDENTITY CASCADE")
            _seed_topics(conn)


def _seed_topics(conn):
    """The topics migration 0009 seeds (admins change them afterwards, so they are data that the
    snapshots restore, not a kept table): put back after a wipe, as the migration wrote them."""
    import importlib.util
    path = os.path.join(os.path.dirname(__file__), "..", "migrations", "versions", "0009_topics.py")
    spec = importlib.util.spec_from_file_location("seeded_topics_0009", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    conn.execute(sa.text("INSERT INTO topics (code, name, active, position) VALUES (:code, :name, true, :position)"),
                 [{"code": code, "name": name, "position": (i + 1) * 10}
                  for i, (code, name) in enumerate(migration.TOPICS)])


VOLATILE_COLUMNS = {("user_sessions", "last_seen_at")}  # the idle clock moves on reads


_FINGERPRINT_SQL: dict = {}  # database URL -> [(table name, SELECT of its rows in key order)]


def _fingerprint_statements(engine) -> list:
    """The SELECTs a fingerprint runs, compiled once per database."""
    key = str(engine.url)
    if key not in _FINGERPRINT_SQL:
        statements = []
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if (table.name, c.name) not in VOLATILE_COLUMNS]
            select = sa.select(*columns).order_by(*table.primary_key.columns)
            statements.append((table.name, str(select.compile(engine))))
        _FINGERPRINT_SQL[key] = statements
    return _FINGERPRINT_SQL[key]


def database_fingerprint(app) -> dict:
    """Every row of every table (but the idle clock of web sessions), as the driver returns it: what
    a refused request must leave exactly as it was. Only ever compared with another fingerprint."""
    with app.app_context():
        engine = db.engine
        with engine.connect() as conn:
            state = {name: [tuple(row) for row in conn.exec_driver_sql(sql)]
                     for name, sql in _fingerprint_statements(engine)}
        db.session.remove()
    return state


# --- budgets, built through the HTTP API as a user would ---------------------------------

YEAR = 2026
_codes = itertools.count(1)


def ok(response, status):
    assert response.status_code == status, (response.status_code, response.get_json())
    return response.get_json()


def envelope(finance, amount=1_000_000_000, *, code=None, year=YEAR, decision_date=None):
    return ok(finance.post("/api/v1/envelopes", json={
        "fiscal_year": year, "code": code or f"NKP-{next(_codes):03d}", "name": "Kinh phí truyền thông chính sách",
        "amount": amount, "decision_no": "123/QĐ-UBND", "decision_date": decision_date or f"{year}-01-10",
    }), 201)


def line(amount, category="press", quantity=1, description="Đặt hàng tin bài"):
    assert amount % quantity == 0
    return {"category": category, "description": description, "quantity": quantity,
            "unit_cost": amount // quantity}


def funding_request(officer, *lines, year=YEAR, title="Tuyên truyền chính sách năm 2026"):
    lines = list(lines) or [line(300_000_000, "press"), line(200_000_000, "training", quantity=4)]
    return ok(officer.post("/api/v1/requests", json={
        "fiscal_year": year, "title": title, "justification": "Theo văn bản của UBND tỉnh",
        "letter_no": "45/STP-VP", "lines": lines}), 201)


def submitted_request(officer, *lines, **kw):
    created = funding_request(officer, *lines, **kw)
    return ok(officer.post(f"/api/v1/requests/{created['id']}/submit"), 200)


def allocation_body(envelope_id, unit_code="STP", amount=100_000_000, *, request_id=None,
                    category="press", year=YEAR, decision_no="456/QĐ-STC"):
    body = {"envelope_id": envelope_id, "unit_code": unit_code, "category": category,
            "amount": amount, "decision_no": decision_no, "decision_date": f"{year}-03-15"}
    if request_id is not None:
        body["request_id"] = request_id
    return body


def allocation(finance, envelope_id, unit_code="STP", amount=100_000_000, **kw):
    return ok(finance.post("/api/v1/allocations", json=allocation_body(envelope_id, unit_code, amount, **kw)),
              201)


def adjustment(finance, allocation_id, amount, *, reason="Điều chỉnh dự toán", decision_no="789/QĐ-STC"):
    return finance.post(f"/api/v1/allocations/{allocation_id}/adjustments",
                        json={"amount": amount, "reason": reason, "decision_no": decision_no})


def audit_total(reader) -> int:
    """How many entries the audit trail holds, drafts' entries included (finance and auditors
    read those only once the request is submitted): one per change, none for a refusal."""
    import sqlalchemy as sa

    from app.core.audit import AuditEntry
    with reader.client.application.app_context():
        total = db.session.execute(sa.select(sa.func.count()).select_from(AuditEntry)).scalar_one()
        db.session.remove()
    return total


def get(client, path):
    return ok(client.get(path), 200)


def list_total(client, path) -> int:
    return get(client, path)["total"]


def balances(finance, envelope_id=None, allocation_id=None, request_id=None, owner=None) -> dict:
    """Everything a refusal must leave untouched, read through the API; a request is read by its
    `owner` unit's client when given (a draft is its unit's own, DESIGN §2), else by finance."""
    state = {"audit": audit_total(finance), "allocations": list_total(finance, "/api/v1/allocations"),
             "requests": list_total(finance, "/api/v1/requests")}
    if owner is not None:
        state["own_requests"] = list_total(owner, "/api/v1/requests")
    if envelope_id is not None:
        env = get(finance, f"/api/v1/envelopes/{envelope_id}")
        state["envelope"] = (env["total"], env["allocated"], env["available"], len(env["decisions"]))
    if allocation_id is not None:
        alloc = get(finance, f"/api/v1/allocations/{allocation_id}")
        state["allocation"] = (alloc["amount"], alloc["committed"], alloc["spent"], alloc["available"],
                               len(alloc["adjustments"]))
    if request_id is not None:
        req = get(owner or finance, f"/api/v1/requests/{request_id}")
        state["request"] = (req["status"], req["requested_total"], req["approved_total"], req["title"],
                            len(req["lines"]))
    return state


PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def upload(officer, request_id, data=PDF_BYTES, filename="bien-ban.pdf"):
    import io
    return officer.post(f"/api/v1/requests/{request_id}/documents",
                        data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


# --- counting SQL statements ----------------------------------------------------------------

class CountedStatements(list):
    """The SQL statements run while it is active, without transaction control (BEGIN, COMMIT…),
    so that counts are the same on SQLite and PostgreSQL."""

    CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")

    def __init__(self, app):
        super().__init__()
        self.engines = engines(app)  # the autocommit reader's statements count too

    def _record(self, _conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(self.CONTROL):
            self.append(statement)

    def __enter__(self):
        from sqlalchemy import event
        for engine in self.engines:
            event.listen(engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *_exc):
        from sqlalchemy import event
        for engine in self.engines:
            event.remove(engine, "before_cursor_execute", self._record)


def statements_for(app, client, path, status=200):
    """(number of statements, JSON body) of one GET."""
    with CountedStatements(app) as statements:
        response = client.get(path)
    assert response.status_code == status, response.get_json()
    return len(statements), response.get_json()


# --- real parallel HTTP requests against a live server -------------------------------------

def send(request) -> tuple[int, dict]:
    """(status, JSON body) of one urllib request; error answers are returned, not raised."""
    import json
    import urllib.error
    import urllib.request
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, {"raw": raw[:200].decode("utf-8", "replace")}


def post_json(url, body, *, token=None, key=None) -> tuple[int, dict]:
    import json
    import urllib.request
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if key:
        headers["Idempotency-Key"] = key
    return send(urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST"))


def race(calls, delays=None) -> list:
    """Start every zero-argument call at once (after its delay, if any); their results in order."""
    import time
    from concurrent.futures import ThreadPoolExecutor
    barrier = threading.Barrier(len(calls))
    delays = delays or [0] * len(calls)

    def run(index):
        barrier.wait()
        if delays[index]:
            time.sleep(delays[index])
        return calls[index]()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, range(len(calls))))


# --- pages through a logged-in browser ------------------------------------------------------

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def text(response) -> str:
    """A page's text with its HTML entities read."""
    return html.unescape(response.get_data(as_text=True))


def csrf_of(response) -> str:
    match = CSRF.search(response.get_data(as_text=True))
    assert match, "the page carries a CSRF token"
    return match.group(1)


class Browser:
    """A test client logged in through the login form; posts forms with the CSRF token of the page
    they are on."""

    def __init__(self, app, username):
        self.client = app.test_client()
        page = self.client.get("/login")
        response = self.client.post("/login", data={"csrf_token": csrf_of(page), "username": username,
                                                    "password": PASSWORD})
        assert response.status_code == 302, text(response)

    def get(self, path, **kw):
        return self.client.get(path, **kw)

    def submit(self, page_path, action, data, **kw):
        """Open the page with the form, then post the form with that page's CSRF token."""
        page = self.client.get(page_path)
        assert page.status_code == 200, (page_path, page.status_code)
        return self.client.post(action, data={"csrf_token": csrf_of(page), **data}, **kw)
