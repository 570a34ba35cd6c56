"""`flask demo load`: the 2026 organisation of tỉnh Gia Lai, never on a production database; and
`scripts/serve.sh`, which loads it, says the address it really serves on."""
import os
import shutil
import subprocess
from pathlib import Path

import sqlalchemy as sa

from app.auth.models import User
from app.demo import DEMO_PASSWORD
from app.extensions import db
from app.units.models import Unit
from budgets.models import FundingRequest, RequestLine
from commissions.demo import SUPPLIERS

GONE = ("huyện", "thị xã", "Thông tin và Truyền thông", "Bình Định")


def load(app, **env):
    return app.test_cli_runner().invoke(args=["demo", "load"], env=env or None)


def test_the_demo_shows_the_2026_organisation(app, demo):
    result = demo
    assert result.exit_code == 0, result.output
    assert "sovhttdl" in result.output and DEMO_PASSWORD in result.output
    with app.app_context():
        units = db.session.execute(sa.select(Unit)).scalars().all()
        names = [u.name for u in units]
        assert not [n for n in names if any(word.lower() in n.lower() for word in GONE)], names
        assert any("Gia Lai" in n for n in names)
        by_code = {u.code: u for u in units}
        assert by_code["SVHTTDL"].name == "Sở Văn hóa, Thể thao và Du lịch"
        assert by_code["STC"].name == "Sở Tài chính"
        assert by_code["SKHCN"].name == "Sở Khoa học và Công nghệ"
        local = [u.name for u in units if u.kind == "local_government"]
        assert "UBND phường Quy Nhơn" in local and "UBND phường An Nhơn" in local
        assert local and all(n.startswith(("UBND phường ", "UBND xã ")) for n in local), local
        assert all(u.contact_email.endswith("@gialai.gov.vn") for u in units)

        dics = db.session.execute(sa.select(User).filter_by(role="dic_officer")).scalars().all()
        assert [d.username for d in dics] == ["sovhttdl"]
        assert dics[0].unit.code == app.config["DIC_UNIT_CODE"] == "SVHTTDL"

        # the requests' words speak of the same province
        texts = [t for row in db.session.execute(sa.select(
            FundingRequest.title, FundingRequest.justification, FundingRequest.letter_no)) for t in row if t]
        texts += db.session.execute(sa.select(RequestLine.description)).scalars().all()
        assert not [t for t in texts if any(word.lower() in t.lower() for word in GONE + ("STTTT",))]


def test_the_supplier_list_has_the_provincial_press_body():
    press = [(name, tax) for kind, name, tax in SUPPLIERS if kind == "press"]
    assert ("Báo và Phát thanh, Truyền hình Gia Lai", "5900181213") in press
    assert {kind for kind, _, _ in SUPPLIERS} <= {"press", "it_service", "training", "other"}


def test_demo_load_refuses_production(app):
    result = load(app, APP_CONFIG="production")
    assert result.exit_code != 0
    assert "APP_CONFIG=production" in result.output
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(User)).scalar_one() == 0
        assert db.session.execute(sa.select(sa.func.count()).select_from(Unit)).scalar_one() == 0


def test_loading_twice_changes_nothing(app, demo):
    assert demo.exit_code == 0
    with app.app_context():
        before = db.session.execute(sa.select(sa.func.count()).select_from(Unit)).scalar_one()
    again = load(app)
    assert again.exit_code == 0 and "không nạp lại" in again.output
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Unit)).scalar_one() == before


# --- scripts/serve.sh prints the address it really serves on ----------------------------------

def run_serve(tmp_path, **env):
    """serve.sh in a copy of the tree whose set-up and `flask` are stand-ins: no venv, no server."""
    root = Path(__file__).resolve().parents[2]
    (tmp_path / "scripts").mkdir()
    shutil.copy(root / "scripts" / "serve.sh", tmp_path / "scripts" / "serve.sh")
    (tmp_path / "scripts" / "_setup.sh").write_text("")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    flask = bin_dir / "flask"
    flask.write_text('#!/bin/sh\necho "flask $*"\n')
    flask.chmod(0o755)
    clean = {k: v for k, v in os.environ.items() if k not in ("HOST", "PORT")}
    result = subprocess.run(["bash", str(tmp_path / "scripts" / "serve.sh")], capture_output=True, text=True,
                            env={**clean, "PATH": f"{bin_dir}:{clean['PATH']}", **env}, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_serve_prints_the_port_it_serves_on(tmp_path):
    out = run_serve(tmp_path, PORT="8123")
    assert "http://127.0.0.1:8123" in out and ":5000" not in out
    assert "flask run --host 127.0.0.1 --port 8123" in out


def test_serve_defaults_and_host(tmp_path):
    out = run_serve(tmp_path)
    assert "http://127.0.0.1:5000" in out and "flask run --host 127.0.0.1 --port 5000" in out
    (tmp_path / "again").mkdir()
    out = run_serve(tmp_path / "again", HOST="0.0.0.0", PORT="8080")
    assert "http://0.0.0.0:8080" in out and "flask run --host 0.0.0.0 --port 8080" in out


# --- the demo's history is stamped at the dates of the work it shows (issue 23 item 7) ----------

def test_the_demo_history_falls_on_business_dates(app):
    from datetime import UTC, datetime, timedelta

    import time_machine

    from app.core.audit import AuditEntry, history, verify_chain

    def local_day(at):
        return (at + timedelta(hours=7)).date()  # stored as naive UTC; the province lives at UTC+7

    loaded_at = datetime(2026, 10, 15, 3, 0, tzinfo=UTC)  # 10:00 in Việt Nam, mid-October
    with time_machine.travel(loaded_at, tick=True):
        assert load(app).exit_code == 0
        with app.app_context():
            load_day, now = loaded_at.date(), datetime.now(UTC).replace(tzinfo=None)
            training = db.session.execute(
                sa.select(FundingRequest).filter_by(letter_no="152/STP-VP")).scalar_one()
            assert local_day(training.submitted_at) == datetime(2026, 2, 24).date()
            trail = history("request", training.id)
            assert trail and all(local_day(e.at).year == 2026 and local_day(e.at) < load_day for e in trail)
            assert {e.action: local_day(e.at).isoformat() for e in trail}["request.submit"] == "2026-02-24"

            entries = db.session.execute(sa.select(AuditEntry).order_by(AuditEntry.seq)).scalars().all()
            days = {local_day(e.at) for e in entries}
            assert len(days) > 30  # spread over the year, not all on the day it was loaded
            assert all(e.at <= now for e in entries)  # never after the real now
            assert min(days) < datetime(2026, 1, 1).date()  # the closed year before, at its own dates
            on_load_day = {e.action for e in entries if local_day(e.at) == load_day}
            assert on_load_day <= {"unit.create", "user.create", "user.grant_role"}, on_load_day  # set-up only
            assert all(7 <= (e.at + timedelta(hours=7)).hour <= 17 for e in entries
                       if local_day(e.at) != load_day)  # office hours
            assert verify_chain() == (len(entries), None)  # the chain holds though `at` is not monotonic
        assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0
        assert app.test_cli_runner().invoke(args=["ledger", "check"]).exit_code == 0


def test_business_time_is_honoured_only_while_set():
    from datetime import UTC, datetime, timedelta

    from app.core.timeutil import business_day, business_moment, business_time, utcnow

    assert business_moment(datetime(2026, 3, 5).date(), 9, 30) == datetime(2026, 3, 5, 2, 30)
    with business_day(datetime(2026, 3, 5).date(), 9, 30):
        assert utcnow() == datetime(2026, 3, 5, 2, 30)
        with business_time(datetime(2026, 4, 1, 3, 0)):
            assert utcnow() == datetime(2026, 4, 1, 3, 0)
        assert utcnow() == datetime(2026, 3, 5, 2, 30)
    real = utcnow()
    assert abs(real - datetime.now(UTC).replace(tzinfo=None)) < timedelta(seconds=5)  # unset: the real clock
    with business_time(real + timedelta(days=3)) as stamped:  # never after the real now
        assert stamped == utcnow() and stamped < real + timedelta(seconds=5)
