"""The year-end close at province scale against the bare SQL of the same movements (issue 22 item 7).
A script, not a test.

    .venv/bin/python benchmarks/year_close.py [--db postgres|sqlite] [--expenditures 1000000]
                                              [--year 2025] [--reuse NAME_OR_FILE] [--keep]

1. Generates one fiscal year with benchmarks/generate_province.py (about 100 units, ~150,000
   commissions, the expenditures asked) into a fresh database (PostgreSQL `pcb_yc_base`, or a
   SQLite file in a temporary folder), or reuses one it generated before (`--reuse`: it is only
   read, copied from).
2. Makes identical copies of it (PostgreSQL `CREATE DATABASE … TEMPLATE`, SQLite a file copy):
   - `close`: the real `budgets.years.services.close_year(None, Y, …)` in one transaction, as
     `flask year close` runs it (app context, commit), timed; the statements it sent are counted
     with a `before_cursor_execute` listener and the process's max RSS growth is read from
     `resource.getrusage` around it;
   - `traced`: the same close again under `tracemalloc`, for the Python side's peak (tracemalloc
     slows Python down, so it is not the timed run);
   - `bare`: hand-written set-based SQL doing the same row changes in one transaction, timed: the
     year's row, the row locks (PostgreSQL), the approved commissions cancelled with their
     commitment released, the carry envelope of Y+1 with its decision and one allocation per
     (unit, category) carried, a carry_overs row per commission, the commissions moved, the
     allocations of Y debited and the rest cancelled, the year's totals, and the audit entries the
     service writes (one per commission cancelled or carried, and the close's). The audit chain is
     a hash of the previous entry's hash, sequential by nature: the reference computes it in the
     client with hashlib over the rows its SQL returned and writes the entries with one COPY
     (PostgreSQL) or one executemany (SQLite) — the least any implementation can do.
3. Checks both copies end in the same state: allocations, envelopes and their decisions, the
   commissions' status, allocation, year and amounts, the carry_overs rows, the year's row and
   the audit entries' content; `check_balances()` must find nothing and the audit chain must
   verify on both.
4. Prints the rows of the year, the close's time against the bare SQL's (target ≤ 2 ×), the
   statements each sent, and the close's peak memory. Exit 1 if the states differ, the ledger or
   the chain does not check, or the ratio is above the target.

Y defaults to 2025: the close is allowed from 01/02 of Y+1 with a decision dated in Y+1 and not in
the future; if today is before 01/02 of Y+1 the close runs under time-machine at 01/03 of Y+1. The
copies (and the generated database unless `--keep`) are dropped in `finally`.
"""
import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from contextlib import contextmanager, nullcontext
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BASE = "pcb_yc_base"
TARGET_RATIO = 2.0
DECISION_NO = "123/QĐ-UBND"
GENESIS_HASH = "0" * 64
AUDIT_LOCK_KEY = 7_310_2022  # app.core.audit.AUDIT_LOCK_KEY
CODES = ("chapter_code", "type_code", "item_code", "section_code", "subsection_code", "source_code")


def log(message=""):
    print(message, flush=True)


def sa_url(url: str) -> str:
    return "postgresql+psycopg://" + url[len("postgresql://"):] if url.startswith("postgresql://") else url


def pg_url(name: str) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def pg_admin(statement: str):
    import psycopg
    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(statement)


def pg_copy(source: str, name: str):
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')


def pg_drop(name: str):
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def make_app(url: str):
    from app import create_app
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": None})


@contextmanager
def counting(engine):
    """Statements sent on `engine` while inside (an executemany counts once: one cursor call)."""
    import sqlalchemy as sa
    sent = [0]

    def count(*_args):
        sent[0] += 1
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def travel(year: int):
    """The close needs today in Y+1 from 01/02; if it is not yet, travel to 01/03 of Y+1."""
    if date.today() >= date(year + 1, 2, 1):
        return nullcontext()
    import time_machine
    return time_machine.travel(datetime(year + 1, 3, 1, 9, 0), tick=True)


def warm(app):
    """The same reads before either run: the copy's pages in the cache, the connection open."""
    import sqlalchemy as sa

    from app.extensions import db
    with app.app_context():
        for table in ("allocations", "commissions", "envelopes", "audit_entries", "carry_overs"):
            db.session.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar()
        db.session.remove()


def year_rows(app, year: int) -> dict:
    import sqlalchemy as sa

    from app.extensions import db
    with app.app_context():
        one = lambda sql: db.session.execute(sa.text(sql), {"y": year}).scalar()  # noqa: E731
        rows = {
            "units": one("SELECT COUNT(DISTINCT a.unit_id) FROM allocations a JOIN envelopes e ON e.id = a.envelope_id "
                         "WHERE e.fiscal_year = :y"),
            "allocations": one("SELECT COUNT(*) FROM allocations a JOIN envelopes e ON e.id = a.envelope_id "
                               "WHERE e.fiscal_year = :y"),
            "commissions": one("SELECT COUNT(*) FROM commissions WHERE fiscal_year = :y"),
            "expenditures": one("SELECT COUNT(*) FROM expenditures"),
        }
        db.session.remove()
    return rows


# --- the close through the service --------------------------------------------------------------

def run_close(app, year: int, decision_date: date, traced: bool) -> dict:
    from app.extensions import db
    from budgets.years import services
    with app.app_context():
        db.session.connection()  # the connection checked out before the clock starts (as the CLI has one)
        db.session.rollback()
        with counting(db.engine) as sent, travel(year):
            if traced:
                tracemalloc.start()
                tracemalloc.reset_peak()
            rss_before = max_rss_mb()
            started = time.perf_counter()
            summary = services.close_year(None, year, decision_no=DECISION_NO, decision_date=decision_date)
            db.session.commit()
            elapsed = time.perf_counter() - started
            rss_growth = max_rss_mb() - rss_before
            peak = tracemalloc.get_traced_memory()[1] if traced else None
            if traced:
                tracemalloc.stop()
        db.session.remove()
    return {"seconds": elapsed, "statements": sent[0], "rss_growth": rss_growth, "peak": peak, "summary": summary}


# --- the same movements in hand-written SQL -----------------------------------------------------

def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _entries(seq: int, prev_hash: str, at: datetime, action: str, entity: str, items):
    """Audit rows chained as app.core.audit does: hash = sha256(prev_hash + canonical payload)."""
    stamp = at.isoformat(timespec="microseconds") + "Z"
    rows = []
    for entity_id, changes in items:
        seq += 1
        text = _canonical(changes)
        payload = {"seq": seq, "at": stamp, "actor_id": None, "actor": None, "action": action, "entity": entity,
                   "entity_id": entity_id, "changes": changes}
        digest = hashlib.sha256((prev_hash + _canonical(payload)).encode("utf-8")).hexdigest()
        rows.append((seq, at, None, None, action, entity, entity_id, text, prev_hash, digest))
        prev_hash = digest
    return seq, prev_hash, rows


AUDIT_COLUMNS = ("seq", "at", "actor_id", "actor", "action", "entity", "entity_id", "changes", "prev_hash", "hash")


def _write_entries(conn, postgres: bool, rows):
    import sqlalchemy as sa
    if not rows:
        return
    if postgres:
        with conn.connection.driver_connection.cursor() as cursor:
            with cursor.copy(f"COPY audit_entries ({', '.join(AUDIT_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    else:
        conn.execute(sa.text(f"INSERT INTO audit_entries ({', '.join(AUDIT_COLUMNS)}) "
                             f"VALUES ({', '.join(':' + c for c in AUDIT_COLUMNS)})"),
                     [dict(zip(AUDIT_COLUMNS, row)) for row in rows])


def bare_close(conn, year: int, decision_date: date):
    """Everything close_year changes, in set-based statements (the caller times and commits)."""
    import sqlalchemy as sa

    from app.core.timeutil import utcnow
    postgres = conn.dialect.name == "postgresql"
    q = lambda sql, **params: conn.execute(sa.text(sql), {"y": year, **params})  # noqa: E731
    now, y1 = utcnow(), year + 1
    of_year = "SELECT a.id FROM allocations a JOIN envelopes e ON e.id = a.envelope_id WHERE e.fiscal_year = :y"
    q("INSERT INTO fiscal_years (year, status, decision_no, decision_date, closed_at, closed_by_id) "
      "VALUES (:y, 'closed', :no, :day, :now, NULL)", no=DECISION_NO, day=decision_date, now=now)
    if postgres:
        q(f"SELECT COUNT(*) FROM (SELECT id FROM allocations WHERE id IN ({of_year}) ORDER BY id FOR UPDATE) s").scalar()
        q(f"SELECT COUNT(*) FROM (SELECT id FROM commissions WHERE allocation_id IN ({of_year}) "
          f"ORDER BY id FOR UPDATE) s").scalar()

    # 1. approved, never signed: cancelled, the commitment back on the allocation
    q(f"CREATE TEMP TABLE yc_unsigned AS SELECT id, allocation_id, committed FROM commissions "
      f"WHERE allocation_id IN ({of_year}) AND status = 'approved'")
    q("UPDATE allocations SET committed = allocations.committed - u.released "
      "FROM (SELECT allocation_id, SUM(committed) AS released FROM yc_unsigned GROUP BY allocation_id) u "
      "WHERE allocations.id = u.allocation_id")
    reason = f"Hủy khi khóa sổ năm {year}: chưa ký hợp đồng đến 31/12/{year}."
    q("UPDATE commissions SET status = 'cancelled', committed = 0, cancelled_at = :now, cancelled_by_id = NULL, "
      "cancel_reason = :reason WHERE id IN (SELECT id FROM yc_unsigned)", now=now, reason=reason)
    cancelled = q("SELECT id, committed FROM yc_unsigned ORDER BY id").all()

    # 2. signed by 31/12 and still holding money: carried into Y+1
    q(f"CREATE TEMP TABLE yc_carried AS SELECT id, allocation_id, unit_id, category, committed, outstanding_advance "
      f"FROM commissions WHERE allocation_id IN ({of_year}) AND status = 'signed' AND signed_on <= :dec31 "
      f"AND (committed > 0 OR outstanding_advance > 0)", dec31=date(year, 12, 31))
    if postgres:
        q("ANALYZE yc_carried")
    creator = q("SELECT MIN(id) FROM users WHERE role = 'finance_officer'").scalar()
    total = q("SELECT COALESCE(SUM(committed + outstanding_advance), 0), COUNT(*) FROM yc_carried").one()
    envelope_id, carried = None, []
    if total[1]:
        envelope_id = q("INSERT INTO envelopes (fiscal_year, code, name, total, allocated, created_at, created_by_id) "
                        "VALUES (:y1, :code, :name, :total, :total, :now, :by) RETURNING id",
                        y1=y1, code=f"CN-{year}", name=f"Kinh phí chuyển nguồn năm {year} sang năm {y1}",
                        total=total[0], now=now, by=creator).scalar()
        q("INSERT INTO envelope_decisions (envelope_id, kind, decision_no, decision_date, amount, created_at, "
          "created_by_id) VALUES (:e, 'carry_over', :no, :day, :total, :now, :by)",
          e=envelope_id, no=DECISION_NO, day=decision_date, total=total[0], now=now, by=creator)
        same = ", ".join(f"CASE WHEN MIN(a.{c}) = MAX(a.{c}) THEN MIN(a.{c}) END" for c in CODES)
        q(f"INSERT INTO allocations (envelope_id, unit_id, category, amount, committed, spent, transferred, "
          f"carried_over, carried_in, cancelled, decision_no, decision_date, {', '.join(CODES)}, created_at, "
          f"created_by_id) "
          f"SELECT :e, k.unit_id, k.category, SUM(k.committed + k.outstanding_advance), SUM(k.committed), "
          f"SUM(k.outstanding_advance), 0, 0, SUM(k.committed + k.outstanding_advance), 0, :no, :day, {same}, "
          f":now, :by FROM yc_carried k JOIN allocations a ON a.id = k.allocation_id "
          f"GROUP BY k.unit_id, k.category ORDER BY k.unit_id, k.category",
          e=envelope_id, no=DECISION_NO, day=decision_date, now=now, by=creator)
        carried = q("INSERT INTO carry_overs (fiscal_year, commission_id, from_allocation_id, to_allocation_id, "
                    "committed, outstanding_advance, created_at) "
                    "SELECT :y, k.id, k.allocation_id, t.id, k.committed, k.outstanding_advance, :now "
                    "FROM yc_carried k JOIN allocations t ON t.envelope_id = :e AND t.unit_id = k.unit_id "
                    "AND t.category = k.category ORDER BY k.id "
                    "RETURNING commission_id, from_allocation_id, to_allocation_id, committed, outstanding_advance",
                    e=envelope_id, now=now).all()
        q("UPDATE commissions SET allocation_id = c.to_allocation_id, fiscal_year = :y1 FROM carry_overs c "
          "WHERE c.fiscal_year = :y AND c.commission_id = commissions.id", y1=y1)
        q("UPDATE allocations SET committed = allocations.committed - k.committed, "
          "spent = allocations.spent - k.advance, carried_over = allocations.carried_over + k.committed + k.advance "
          "FROM (SELECT allocation_id, SUM(committed) AS committed, SUM(outstanding_advance) AS advance "
          "FROM yc_carried GROUP BY allocation_id) k WHERE allocations.id = k.allocation_id")

    # 3. the rest of every allocation of Y cancelled (after the same guard: nothing left committed)
    left = q(f"SELECT id FROM allocations WHERE id IN ({of_year}) AND committed != 0 LIMIT 5").all()
    if left:
        raise RuntimeError(f"bare SQL: allocations still committed {left}")
    q(f"UPDATE allocations SET cancelled = amount - spent - carried_over WHERE id IN ({of_year})")
    q("UPDATE fiscal_years SET carry_envelope_id = :e WHERE year = :y", e=envelope_id)

    # 4. the year's totals and the audit entries
    summary = q("SELECT COALESCE(SUM(a.amount), 0), COALESCE(SUM(a.spent), 0), COALESCE(SUM(a.carried_over), 0), "
                "COALESCE(SUM(a.cancelled), 0) FROM allocations a JOIN envelopes e ON e.id = a.envelope_id "
                "WHERE e.fiscal_year = :y").one()
    if postgres:
        q("SELECT pg_advisory_xact_lock(:k)", k=AUDIT_LOCK_KEY)
    last = q("SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1").first()
    seq, prev_hash = (last[0], last[1]) if last else (0, GENESIS_HASH)
    at = utcnow()
    seq, prev_hash, rows = _entries(seq, prev_hash, at, "commission.cancel", "commission", (
        (row.id, {"status": "cancelled", "reason": reason, "released": row.committed}) for row in cancelled))
    seq, prev_hash, more = _entries(seq, prev_hash, at, "commission.carry_over", "commission", (
        (row.commission_id, {"from_allocation_id": row.from_allocation_id, "to_allocation_id": row.to_allocation_id,
                             "fiscal_year": y1, "committed": row.committed,
                             "outstanding_advance": row.outstanding_advance}) for row in carried))
    rows += more
    seq, prev_hash, close = _entries(seq, prev_hash, utcnow(), "year.close", "fiscal_year", [(year, {
        "decision_no": DECISION_NO, "decision_date": decision_date.isoformat(), "carried_commissions": len(carried),
        "cancelled_commissions": len(cancelled), "carry_envelope_id": envelope_id,
        "allocated": int(summary[0]), "spent": int(summary[1]), "carried_over": int(summary[2]),
        "cancelled": int(summary[3])})])
    _write_entries(conn, postgres, rows + close)
    q("DROP TABLE yc_unsigned")
    q("DROP TABLE yc_carried")


def run_bare(app, year: int, decision_date: date) -> dict:
    from app.extensions import db
    with app.app_context():
        engine = db.engine
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1").all()
            conn.rollback()
            with counting(engine) as sent:
                started = time.perf_counter()
                with conn.begin():
                    bare_close(conn, year, decision_date)
                elapsed = time.perf_counter() - started
        db.session.remove()
    return {"seconds": elapsed, "statements": sent[0]}


# --- the two states compared --------------------------------------------------------------------

STATE = {
    "allocations": "SELECT id, envelope_id, unit_id, request_id, category, amount, committed, spent, transferred, "
                   "carried_over, carried_in, cancelled, decision_no, decision_date, " + ", ".join(CODES)
                   + ", created_by_id FROM allocations ORDER BY id",
    "envelopes": "SELECT id, fiscal_year, code, name, total, allocated, created_by_id FROM envelopes ORDER BY id",
    "envelope_decisions": "SELECT id, envelope_id, kind, decision_no, decision_date, amount, created_by_id "
                          "FROM envelope_decisions ORDER BY id",
    "commissions": "SELECT id, status, allocation_id, fiscal_year, committed, advanced, outstanding_advance, paid, "
                   "cancel_reason, cancelled_by_id, cancelled_at IS NOT NULL FROM commissions ORDER BY id",
    "carry_overs": "SELECT fiscal_year, commission_id, from_allocation_id, to_allocation_id, committed, "
                   "outstanding_advance FROM carry_overs ORDER BY fiscal_year, commission_id",
    "fiscal_years": "SELECT year, status, decision_no, decision_date, closed_by_id, carry_envelope_id "
                    "FROM fiscal_years ORDER BY year",
    "audit_entries": "SELECT action, entity, entity_id, changes, actor_id, actor FROM audit_entries "
                     "ORDER BY action, entity_id, changes",
}


def state(app) -> dict:
    import sqlalchemy as sa

    from app.extensions import db
    with app.app_context():
        found = {name: [tuple(row) for row in db.session.execute(sa.text(sql))] for name, sql in STATE.items()}
        db.session.remove()
    return found


def checks(app) -> tuple[list[str], int, object]:
    from app.core import audit
    from app.extensions import db
    from commissions.expenditures.balances import check_balances
    with app.app_context():
        problems = check_balances()
        checked, broken = audit.verify_chain()
        db.session.remove()
    return problems, checked, broken


def compare(close_state: dict, bare_state: dict) -> list[str]:
    differences = []
    for name in STATE:
        a, b = close_state[name], bare_state[name]
        if a != b:
            only_a = sorted(set(a) - set(b))[:3]
            only_b = sorted(set(b) - set(a))[:3]
            differences.append(f"{name}: {len(a)} rows vs {len(b)}; close only {only_a}; bare only {only_b}")
    return differences


# --- the run ------------------------------------------------------------------------------------

def generate(url: str, expenditures: int, year: int):
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate_province.py"), url,
                    "--expenditures", str(expenditures), "--year", str(year)],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log(f"generated {expenditures:,} expenditures of {year} in {time.perf_counter() - started:.0f} s")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--expenditures", type=int, default=1_000_000)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--reuse", help="a database this script generated (PostgreSQL name or SQLite file)")
    parser.add_argument("--keep", action="store_true", help="keep the generated database for --reuse")
    options = parser.parse_args(argv)
    year = options.year
    decision_date = max(date(year + 1, 2, 1), min(date.today(), date(year + 1, 12, 31)))
    postgres = options.db == "postgres"
    scratch = tempfile.mkdtemp(prefix="pcb-year-close-")
    os.environ.setdefault("UPLOAD_FOLDER", os.path.join(scratch, "uploads"))
    copies, generated = [], None
    try:
        if postgres:
            base = options.reuse or PG_BASE
            if not options.reuse:
                pg_admin(f'DROP DATABASE IF EXISTS "{base}" WITH (FORCE)')
                pg_admin(f'CREATE DATABASE "{base}"')
                generated = base
                generate(pg_url(base), options.expenditures, year)
            urls = {}
            for role in ("close", "traced", "bare"):
                name = f"pcb_yc_{role}"
                copies.append(name)
                pg_copy(base, name)
                urls[role] = pg_url(name)
        else:
            base = options.reuse or os.path.join(scratch, "base.sqlite")
            if not options.reuse:
                generated = base
                generate(f"sqlite:///{base}", options.expenditures, year)
            urls = {}
            for role in ("close", "traced", "bare"):
                path = os.path.join(scratch, f"{role}.sqlite")
                shutil.copyfile(base, path)
                urls[role] = f"sqlite:///{path}"
        apps = {role: make_app(url) for role, url in urls.items()}
        rows = year_rows(apps["close"], year)
        log(f"{options.db}: year {year}: units {rows['units']}, allocations {rows['allocations']}, "
            f"commissions {rows['commissions']:,}, expenditures {rows['expenditures']:,}")

        warm(apps["close"])
        close = run_close(apps["close"], year, decision_date, traced=False)
        warm(apps["bare"])
        bare = run_bare(apps["bare"], year, decision_date)
        warm(apps["traced"])
        traced = run_close(apps["traced"], year, decision_date, traced=True)

        ratio = close["seconds"] / bare["seconds"]
        summary = close["summary"]
        log(f"close_year (service, one transaction + commit): {close['seconds']:.2f} s, "
            f"{close['statements']} statements")
        log(f"bare SQL of the same movements:                 {bare['seconds']:.2f} s, "
            f"{bare['statements']} statements")
        log(f"ratio close / bare: {ratio:.2f} × (target ≤ {TARGET_RATIO:.0f} ×)")
        log(f"memory: tracemalloc peak {traced['peak'] / 2**20:.1f} MiB (Python side, the traced close: "
            f"{traced['seconds']:.2f} s); max RSS growth {close['rss_growth']:.1f} MiB (the timed close)")
        log(f"summary: allocated {summary['allocated']:,} = spent {summary['spent']:,} + carried over "
            f"{summary['carried_over']:,} + cancelled {summary['cancelled']:,}")

        differences = compare(state(apps["close"]), state(apps["bare"]))
        for line in differences:
            log(f"  DIFFERENT {line}")
        log(f"same state (allocations, envelopes, decisions, commissions, carry_overs, year, audit content): "
            f"{'yes' if not differences else 'NO'}")
        failed = bool(differences)
        for role in ("close", "bare"):
            problems, checked, broken = checks(apps[role])
            for problem in problems[:10]:
                log(f"  PROBLEM {problem}")
            log(f"{role}: check_balances() {'== []' if not problems else f'found {len(problems)}'}; "
                f"audit chain {checked:,} entries {'verified' if broken is None else f'BROKEN at {broken}'}")
            failed |= bool(problems) or broken is not None
        if summary["allocated"] != summary["spent"] + summary["carried_over"] + summary["cancelled"]:
            log("  PROBLEM allocated != spent + carried_over + cancelled")
            failed = True
        if ratio > TARGET_RATIO:
            log(f"  ratio above the target ({ratio:.2f} × > {TARGET_RATIO:.0f} ×)")
            failed = True
        for app in apps.values():
            from app.extensions import db
            with app.app_context():
                db.engine.dispose()
        return 1 if failed else 0
    finally:
        if postgres:
            for name in copies:
                pg_drop(name)
            if generated and not options.keep:
                pg_drop(generated)
            elif generated:
                log(f"kept {generated}: --reuse {generated}")
        if not (generated and options.keep and not postgres):
            shutil.rmtree(scratch, ignore_errors=True)
        else:
            log(f"kept {generated}: --reuse {generated}")


if __name__ == "__main__":
    sys.exit(main())
