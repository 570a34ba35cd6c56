"""The reports against their reference points (DESIGN §10), measured in one run. A script, not a test.

    .venv/bin/python benchmarks/reports.py URL [--year 2026] [--sizes 100000,1000000]
                                       [--throughput-rows 100000] [--repeats 3] [--execution-repeats 30]
                                       [--parts abc]

URL is a database filled by benchmarks/generate_province.py (SQLite file or PostgreSQL). It prints
three ratios (`--parts` picks some of them):

a. ledger export throughput on N expenditures (`--throughput-rows`), three runs in turn:
   - bare xlsxwriter in constant_memory mode writing the export's own Sổ chi rows (the tuples of
     reports.ledger_rows, the same 25 columns, fetched into memory first and not timed, codes already
     turned into labels), one typed write per cell (numbers, dates, strings), SUBTOTAL totals;
   - the Sổ chi alone as the export writes it, streamed from the database: reports.workbook's
     WORKBOOK_OPTIONS, `_Formats` and `_write_table` (private pieces, named here on purpose) on
     `ledger_rows(selection)` — the fair comparison, and the one held to the target ≥ 0.8;
   - the whole workbook, `write_workbook(path, None, LedgerFilter(...), "vi")` (None is the
     operator: the whole province), whose other sheets are not cut by the date (its rows/s over
     every sheet are printed beside);
b. peak memory of `write_workbook` and of the Sổ chi alone (VmHWM of a fresh process per run,
   beside that process's high-water mark before the export: the interpreter, the app, pandas) at
   each of `--sizes` ledger rows; target: flat, under 250 MB at 1,000,000;
c. the execution report by unit: `reports.queries.execution(year, "unit", None)` in an app context
   and `GET /api/v1/reports/execution` through the Flask test client with a finance token, against
   the bare SQL aggregate of the same figures (all seven sums the report gives: allocated, transferred,
   carried in, committed, spent, carried over, cancelled) through the same driver (a raw DBAPI cursor); target
   ≤ 1.5× on PostgreSQL at 1,000,000 expenditures. For scale, the same spending recomputed from the
   expenditures themselves (signed SUM grouped by unit) is timed too, and all four are checked equal.

The sizes are cuts of the one database by `date_to`: the first N entries by payment date, to the
end of that day. Each export and bare run is a child process (`--child`), so its memory is its own;
the database's caches are warm after the first run. Timings are medians of `--repeats`. On a shared
machine the absolute figures move with the load: the ratios of runs taken in turn are what the
targets are about. Exits 1 when a target is missed.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MB = 2**20

EXECUTION_SQL = """
SELECT u.code, u.name, COALESCE(SUM(a.amount), 0), COALESCE(SUM(a.committed), 0), COALESCE(SUM(a.spent), 0),
       COALESCE(SUM(a.transferred), 0), COALESCE(SUM(a.carried_in), 0), COALESCE(SUM(a.carried_over), 0),
       COALESCE(SUM(a.cancelled), 0)
FROM allocations a
JOIN envelopes e ON e.id = a.envelope_id
JOIN units u ON u.id = a.unit_id
WHERE e.fiscal_year = {p}
GROUP BY u.code, u.name, u.id
ORDER BY u.code
"""
FROM_EXPENDITURES_SQL = """
SELECT u.code,
       SUM(CASE WHEN x.kind = 'recovery' THEN -x.amount ELSE x.amount END
           * CASE WHEN x.reversal_of_id IS NULL THEN 1 ELSE -1 END)
FROM expenditures x
JOIN allocations a ON a.id = x.allocation_id
JOIN envelopes e ON e.id = a.envelope_id
JOIN units u ON u.id = x.unit_id
WHERE e.fiscal_year = {p}
GROUP BY u.code
ORDER BY u.code
"""


def log(message=""):
    print(message, flush=True)


def engine_url(url: str) -> str:
    return "postgresql+psycopg://" + url[len("postgresql://"):] if url.startswith("postgresql://") else url


def make_app(url: str):
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": engine_url(url), "SERVER_NAME": None,
                       "UPLOAD_FOLDER": os.path.join(tempfile.gettempdir(), "pcb-bench-uploads")})


def high_water_kb() -> int:
    """The process's peak resident set so far (VmHWM; ru_maxrss where /proc is missing)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def median(values):
    return statistics.median(values) if values else float("nan")


# --- the bare run: the same rows, fetched first, written by bare xlsxwriter ---------------------

def fetch_ledger(selection):
    """The export's own Sổ chi rows (reports.ledger_rows), in memory, codes already turned into the
    labels the export writes: what is left to time is the writing alone."""
    from flask_babel import gettext

    from reports.ledger_rows import LEDGER_COLUMNS, ledger_rows

    labels = [{code: gettext(label) for code, label in column.labels.items()} if column.labels else None
              for column in LEDGER_COLUMNS]
    resolve = [i for i, mapping in enumerate(labels) if mapping]
    rows = []
    for row in ledger_rows(selection):
        row = list(row)
        for i in resolve:
            row[i] = labels[i].get(row[i], row[i])
        rows.append(tuple(row))
    return rows


def write_bare(path, rows) -> int:
    """Bare xlsxwriter, constant_memory, the export's columns: a header, then one typed write per
    cell (numbers, dates, strings), a SUBTOTAL total under each money column; frozen header, autofilter."""
    import xlsxwriter
    from flask_babel import gettext

    from reports.ledger_rows import DATE, DATETIME, INTEGER, LEDGER_COLUMNS, MONEY

    workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = workbook.add_worksheet("Sổ chi")
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "#,##0"})
    day = workbook.add_format({"num_format": "dd/mm/yyyy"})
    for index, column in enumerate(LEDGER_COLUMNS):
        sheet.set_column(index, index, column.width)
        sheet.write_string(0, index, gettext(column.header), bold)
    sheet.freeze_panes(1, 0)
    numbers = {i for i, c in enumerate(LEDGER_COLUMNS) if c.kind in (MONEY, INTEGER)}
    dates = {i for i, c in enumerate(LEDGER_COLUMNS) if c.kind in (DATE, DATETIME)}
    totals = [i for i, c in enumerate(LEDGER_COLUMNS) if c.total]
    write_string, write_number, write_datetime = sheet.write_string, sheet.write_number, sheet.write_datetime
    r = 0
    for r, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if value is None:
                continue
            if column in numbers:
                write_number(r, column, value, money)
            elif column in dates:
                write_datetime(r, column, value, day)
            else:
                write_string(r, column, value)
    sheet.autofilter(0, 0, max(r, 1), len(LEDGER_COLUMNS) - 1)
    sheet.write_string(r + 1, 0, "Tổng cộng", bold)
    for column in totals:
        letter = chr(ord("A") + column)
        sheet.write_formula(r + 1, column, f"=SUBTOTAL(9,{letter}2:{letter}{r + 1})", money)
    workbook.close()
    return len(rows)


def write_ledger_sheet_only(path, selection) -> int:
    """The export's Sổ chi alone: its workbook options, formats and table writer on its row stream
    (reports.workbook's own private pieces), without the other sheets."""
    import xlsxwriter

    from reports import workbook
    from reports.ledger_rows import LEDGER_COLUMNS, ledger_rows

    book = xlsxwriter.Workbook(path, {**workbook.WORKBOOK_OPTIONS, "tmpdir": tempfile.gettempdir()})
    try:
        formats = workbook._Formats(book)
        sheet = book.add_worksheet(workbook.SHEET_NAMES["vi"][1])
        return workbook._write_table(sheet, LEDGER_COLUMNS, ledger_rows(selection), formats)
    finally:
        book.close()


# --- the children: one run each, in a fresh process ------------------------------------------------

def child(args) -> dict:
    from datetime import date

    from flask_babel import force_locale

    from app.extensions import db
    from reports.filters import LedgerFilter

    date_to = date.fromisoformat(args.date_to) if args.date_to else None
    selection = LedgerFilter(fiscal_year=args.year, date_to=date_to)
    app = make_app(args.url)
    with app.app_context(), force_locale("vi"):
        db.session.execute(db.text("SELECT 1"))  # connected, as a request would be
        result = {"kind": args.child}
        if args.child == "bare":
            t0 = time.perf_counter()
            rows = fetch_ledger(selection)
            result["fetch_seconds"] = time.perf_counter() - t0
            db.session.rollback()
            result["base_kb"] = high_water_kb()
            t0 = time.perf_counter()
            result["rows"] = write_bare(args.out, rows)
            result["seconds"] = time.perf_counter() - t0
        else:
            from reports import workbook

            result["base_kb"] = high_water_kb()
            t0 = time.perf_counter()
            if args.child == "export":
                result["sheets"] = workbook.write_workbook(args.out, None, selection, "vi")
                result["rows"] = result["sheets"]["ledger"]
            else:
                result["rows"] = write_ledger_sheet_only(args.out, selection)
            result["seconds"] = time.perf_counter() - t0
        result["hwm_kb"] = high_water_kb()
        result["file_bytes"] = os.path.getsize(args.out)
        db.session.rollback()
    return result


def run_child(kind, url, year, date_to, workdir, timeout=3600) -> dict:
    out = os.path.join(workdir, f"{kind}.xlsx")
    command = [sys.executable, os.path.abspath(__file__), url, "--child", kind, "--year", str(year),
               "--out", out] + (["--date-to", date_to.isoformat()] if date_to else [])
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=str(ROOT))
    try:
        os.remove(out)
    except OSError:
        pass
    if done.returncode != 0:
        raise RuntimeError(f"{kind} run failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- what the parent measures -----------------------------------------------------------------------

def cut_for(conn, year, size):
    """(date_to, rows): the first `size` ledger entries by payment date, to the end of that day."""
    import sqlalchemy as sa

    base = ("FROM expenditures x JOIN allocations a ON a.id = x.allocation_id "
            "JOIN envelopes e ON e.id = a.envelope_id WHERE e.fiscal_year = :year")
    total = conn.execute(sa.text(f"SELECT COUNT(*) {base}"), {"year": year}).scalar()
    if size >= total:
        return None, total
    day = conn.execute(sa.text(f"SELECT x.paid_on {base} ORDER BY x.paid_on LIMIT 1 OFFSET :n")
                       .columns(paid_on=sa.Date), {"year": year, "n": size - 1}).scalar()
    rows = conn.execute(sa.text(f"SELECT COUNT(*) {base} AND x.paid_on <= :day"),
                        {"year": year, "day": day}).scalar()
    return day, rows


def timed(fn, repeats, warm=2):
    for _ in range(warm):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return median(times)


def measure_execution(app, year, repeats):
    import sqlalchemy as sa

    from app.auth.models import User
    from app.auth.services import issue_token
    from app.extensions import db
    from reports.queries import execution

    out = {}
    with app.app_context():
        finance = db.session.execute(sa.select(User).where(User.role == "finance_officer").limit(1)).scalar_one()
        token, _ = issue_token(finance)
        db.session.commit()
        db.session.remove()

        report = {}

        def service():
            report["value"] = execution(year, "unit", None)
            db.session.rollback()
        out["service"] = timed(service, repeats)

        raw = db.engine.raw_connection()
        try:
            param = "%s" if db.engine.dialect.name == "postgresql" else "?"
            cursor = raw.cursor()
            bare, scan = {}, {}

            def bare_sql():
                cursor.execute(EXECUTION_SQL.format(p=param), (year,))
                bare["rows"] = cursor.fetchall()
                raw.rollback()

            def from_expenditures():
                cursor.execute(FROM_EXPENDITURES_SQL.format(p=param), (year,))
                scan["rows"] = cursor.fetchall()
                raw.rollback()
            out["bare"] = timed(bare_sql, repeats)
            out["scan"] = timed(from_expenditures, max(3, repeats // 5), warm=1)
            cursor.close()
        finally:
            raw.close()
        db.session.remove()

    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    path = f"/api/v1/reports/execution?fiscal_year={year}&by=unit"
    answer = {}

    def http():
        response = client.get(path, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code} {response.get_data(as_text=True)[:300]}")
        answer["json"] = response.get_json()
    out["http"] = timed(http, repeats)

    items = report["value"]["items"]
    # every figure the report sums, so that the reference does the same work
    want = [(row[0], *(int(value) for value in row[2:])) for row in bare["rows"]]
    have = [(i["key"], i["allocated"], i["committed"], i["spent"], i["transferred"], i["carried_in"],
             i["carried_over"], i["cancelled"]) for i in items]
    spent_from_entries = {code: int(total) for code, total in scan["rows"]}
    out["same"] = (have == want and [(i["key"], i["spent"]) for i in answer["json"]["items"]]
                   == [(k, s) for k, _a, _c, s, *_rest in want]
                   and all(spent_from_entries.get(k, 0) == s for k, _a, _c, s, *_rest in want))
    out["groups"] = len(items)
    out["spent"] = report["value"]["totals"]["spent"]
    return out


def has_workbook() -> bool:
    from reports import workbook
    return hasattr(workbook, "write_workbook")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("url")
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--sizes", default="100000,1000000", help="rows of the memory runs")
    parser.add_argument("--throughput-rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3, help="export and bare runs at the throughput size")
    parser.add_argument("--execution-repeats", type=int, default=30)
    parser.add_argument("--parts", default="abc", help="which of (a), (b), (c) to measure")
    parser.add_argument("--child", choices=("export", "bare", "sheet"), help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--date-to", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args)), flush=True)
        return 0

    from app.extensions import db

    app = make_app(args.url)
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    with app.app_context():
        dialect = db.engine.dialect.name
        with db.engine.connect() as conn:
            cuts = {size: cut_for(conn, args.year, size) for size in set(sizes) | {args.throughput_rows}}
    log(f"database: {dialect}; fiscal year {args.year}; load average {os.getloadavg()[0]:.2f} "
        f"{os.getloadavg()[1]:.2f} on {os.cpu_count()} CPUs")

    ok = True
    if ("a" in args.parts or "b" in args.parts) and not has_workbook():
        log("export: reports.workbook.write_workbook is not there yet: (a) and (b) skipped")
        args.parts = args.parts.replace("a", "").replace("b", "")
    with tempfile.TemporaryDirectory(prefix="pcb-reports-") as workdir:
        runs = {}  # (kind, rows) -> [results]

        def run(kind, size, repeats=1):
            date_to, rows = cuts[size]
            done = runs.setdefault((kind, rows), [])
            while len(done) < repeats:
                done.append(run_child(kind, args.url, args.year, date_to, workdir))
            return done

        if "a" in args.parts:
            size = args.throughput_rows
            rows = cuts[size][1]
            for repeat in range(1, args.repeats + 1):
                for kind in ("bare", "sheet", "export"):  # in turn, so that the load moves all alike
                    run(kind, size, repeat)
            bare, sheet, export = (runs[(kind, rows)] for kind in ("bare", "sheet", "export"))
            bare_s, sheet_s, export_s = (median([r["seconds"] for r in rs]) for rs in (bare, sheet, export))
            sheets = export[0]["sheets"]
            written = sum(sheets.values())
            log(f"(a) ledger export on {rows:,} expenditures (median of {args.repeats}; each run its own process, "
                "bare, sheet, workbook in turn):")
            log(f"    bare xlsxwriter (constant_memory, the same rows fetched first, untimed "
                f"{median([r['fetch_seconds'] for r in bare]):.1f} s): {bare_s:.2f} s = {rows / bare_s:,.0f} rows/s")
            sheet_ratio = bare_s / sheet_s
            log(f"    Sổ chi alone, streamed from the database: {sheet_s:.2f} s = {rows / sheet_s:,.0f} rows/s; "
                f"ratio {sheet_ratio:.2f} (target ≥ 0.80){'' if sheet_ratio >= 0.8 else '  MISSED'}")
            log(f"    write_workbook, all six sheets ({', '.join(f'{k} {v:,}' for k, v in sheets.items())} rows; "
                f"only the ledger is cut by date): {export_s:.2f} s = {rows / export_s:,.0f} ledger rows/s "
                f"(ratio {bare_s / export_s:.2f}), {written / export_s:,.0f} rows/s of all sheets")
            log(f"    files: workbook {export[0]['file_bytes'] / MB:.1f} MB, Sổ chi alone "
                f"{sheet[0]['file_bytes'] / MB:.1f} MB, bare {bare[0]['file_bytes'] / MB:.1f} MB")
            ok &= sheet_ratio >= 0.8

        if "b" in args.parts:
            log("(b) peak memory (VmHWM of the run's own process; 'before': the interpreter, the app, the imports):")
            peaks = {}
            for size in sizes:
                rows = cuts[size][1]
                export = max(run("export", size), key=lambda r: r["hwm_kb"])
                sheet = max(run("sheet", size), key=lambda r: r["hwm_kb"])
                peaks[rows] = export["hwm_kb"] / 1024
                log(f"    {rows:>9,} ledger rows: write_workbook peak {export['hwm_kb'] / 1024:,.0f} MB "
                    f"(before {export['base_kb'] / 1024:,.0f} MB), {export['seconds']:.1f} s; Sổ chi alone peak "
                    f"{sheet['hwm_kb'] / 1024:,.0f} MB (before {sheet['base_kb'] / 1024:,.0f} MB), "
                    f"{sheet['seconds']:.1f} s = {rows / sheet['seconds']:,.0f} rows/s")
            (small, low), (big, high) = min(peaks.items()), max(peaks.items())
            log(f"    write_workbook {low:,.0f} → {high:,.0f} MB for {small:,} → {big:,} ledger rows "
                f"({high / low:.2f}×); target flat and under 250 MB{'' if high < 250 else '  MISSED'}")
            ok &= high < 250

    if "c" not in args.parts:
        return 0 if ok else 1
    n_rows = max(rows for _d, rows in cuts.values())
    result = measure_execution(app, args.year, args.execution_repeats)
    log(f"(c) execution report by unit, {result['groups']} units, {n_rows:,} expenditures "
        f"(median of {args.execution_repeats}):")
    log(f"    bare SQL aggregate (raw DBAPI cursor): {result['bare'] * 1000:.2f} ms")
    log(f"    reports.queries.execution():          {result['service'] * 1000:.2f} ms  "
        f"ratio {result['service'] / result['bare']:.2f} (target ≤ 1.50)")
    log(f"    GET /api/v1/reports/execution (test client, token): {result['http'] * 1000:.2f} ms  "
        f"ratio {result['http'] / result['bare']:.2f}")
    log(f"    for scale, spending recomputed from the expenditures (signed SUM by unit): "
        f"{result['scan'] * 1000:.1f} ms ({result['scan'] / result['bare']:.0f}× the aggregate)")
    log(f"    figures agree (service, HTTP, bare SQL, recomputed from the entries): {result['same']}")
    ok &= result["same"]
    if dialect == "postgresql":
        ok &= result["service"] / result["bare"] <= 1.5
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
