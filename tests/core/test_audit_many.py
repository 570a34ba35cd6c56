"""`record_many` writes exactly what as many `record` calls would: the same rows, seqs, hashes and
chain, on the same world restored twice, with the clock frozen so the timestamps match too."""
from datetime import date, datetime

import sqlalchemy as sa
import time_machine

from app.core import audit
from app.core.audit import GENESIS_HASH, AuditEntry, verify_chain
from app.extensions import db
from tests.support import restore_snapshot

FROZEN = datetime(2026, 2, 3, 4, 5, 6, 789012)
COLUMNS = [column.name for column in AuditEntry.__table__.columns]

PLAIN = [
    (11, {"status": "cancelled", "released": 1_250_000}),
    (12, {"from_allocation_id": 3, "to_allocation_id": 9, "fiscal_year": 2026, "committed": 40_000_000,
          "outstanding_advance": 0}),
    (13, None),
    (14, {}),
]

# Text and values the canonical JSON has to escape or keep as they are.
ESCAPING = [
    (21, {"reason": "Hủy khi khóa sổ năm 2025: chưa ký hợp đồng đến 31/12/2025.",
          "decision_no": "123/QĐ-UBND", "đơn vị": "Sở Văn hóa, Thể thao và Du lịch"}),
    (22, {"quotes": 'He said "xin chào" and it\'s fine', "backslash": "C:\\dữ liệu\\tệp", "slash": "a/b"}),
    (23, {"unicode": "Tiếng Việt (NFD) 🇻🇳 ∑ € 中文 \u2028 \u00a0 end", "emoji_key_🙂": True, "none": None}),
    (24, {"big": 10**30, "negative": -(2**63), "max_bigint": 2**63 - 1, "zero": 0, "float": 0.1, "flag": False}),
    (25, {"day": date(2025, 12, 31), "moment": datetime(2026, 1, 1, 0, 0, 0, 1), 7: "int key",
          "nested": {"list": [1, "hai", (3, date(2026, 2, 1))], "tuple": ("a", {"b": "c"})}}),
]


def chain_rows():
    with_seq = sa.select(*AuditEntry.__table__.columns).order_by(AuditEntry.seq)
    return [dict(row._mapping) for row in db.session.execute(with_seq)]


def write(app, snapshot, actor_name, items, *, many: bool):
    """Restore the world, write the items one way, commit; return every row of the chain."""
    restore_snapshot(app, snapshot)
    with app.app_context(), time_machine.travel(FROZEN, tick=False):
        actor = None
        if actor_name:
            from app.auth.services import get_user_by_username
            actor = get_user_by_username(actor_name)
        if many:
            audit.record_many(actor, "test.bulk", "commission", items)
        else:
            for entity_id, changes in items:
                audit.record(actor, "test.bulk", "commission", entity_id, changes)
        audit.record(actor, "test.after", "fiscal_year", 2025, {"written": len(items)})  # the chain goes on
        db.session.commit()
        rows = chain_rows()
        checked, problem = verify_chain()
        db.session.remove()
    assert problem is None
    assert checked == len(rows)
    return rows


def both_ways(app, snapshot, actor_name, items):
    many = write(app, snapshot, actor_name, items, many=True)
    one_by_one = write(app, snapshot, actor_name, items, many=False)
    assert [list(row) for row in many] == [COLUMNS] * len(many)
    assert many == one_by_one  # every column, the timestamps and hashes included
    return many


def test_record_many_stores_what_record_would_on_a_world_with_a_chain(app, roles, _roles_world):
    rows = both_ways(app, _roles_world.snapshot, "quantri", PLAIN + ESCAPING)
    written = rows[-len(PLAIN + ESCAPING) - 1:]
    before = rows[-len(written) - 1]  # the roles world's last entry: the batch chains on from it
    assert [row["seq"] for row in written] == list(range(before["seq"] + 1, before["seq"] + 1 + len(written)))
    assert written[0]["prev_hash"] == before["hash"]
    assert all(row["actor"] == "quantri" and row["actor_id"] is not None for row in written)
    assert all(row["at"] == FROZEN for row in written)
    assert [row["entity_id"] for row in written[:-1]] == [entity_id for entity_id, _ in PLAIN + ESCAPING]
    assert written[2]["changes"] == written[3]["changes"] == "{}"


def test_record_many_on_an_empty_chain_starts_at_genesis(app, _empty_world):
    rows = both_ways(app, _empty_world.snapshot, None, PLAIN)
    assert [row["seq"] for row in rows] == [1, 2, 3, 4, 5]
    assert rows[0]["prev_hash"] == GENESIS_HASH
    assert all(row["actor"] is None and row["actor_id"] is None for row in rows)


def test_escaping_is_stored_as_canonical_json_and_hashes_alike(app, _empty_world):
    rows = both_ways(app, _empty_world.snapshot, None, ESCAPING)
    text = {row["entity_id"]: row["changes"] for row in rows}
    assert '"decision_no":"123/QĐ-UBND"' in text[21]  # not \u-escaped
    assert r'"quotes":"He said \"xin chào\" and it' in text[22]
    assert r'"backslash":"C:\\dữ liệu\\tệp"' in text[22]
    assert "🇻🇳" in text[23] and "\u2028" in text[23]
    assert '"big":1000000000000000000000000000000' in text[24]
    assert '"negative":-9223372036854775808' in text[24]
    assert '"day":"2025-12-31"' in text[25] and '"moment":"2026-01-01T00:00:00.000001"' in text[25]
    assert '"7":"int key"' in text[25] and '"list":[1,"hai",[3,"2026-02-01"]]' in text[25]


def test_record_many_of_nothing_writes_nothing(app, _empty_world):
    with app.app_context():
        audit.record_many(None, "test.bulk", "commission", [])
        db.session.commit()
        assert chain_rows() == []
