"""The audit trail as auditors read it: filters, actions and records in words, changes as rows,
links to the records, the chain's last check, and the filtered trail as CSV."""
import csv
import io
import json

from flask import url_for
from flask_babel import gettext
from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.routing import BuildError

from app.core.audit import entity_kinds
from app.core.dates import Day
from app.core.registry import registry
from app.core.templating import format_datetime
from app.core.text import Text, neutralise_formula

AUDIT_EXPORT_LIMIT = 100_000


class AuditFilterArgs(Schema):
    entity = fields.String(load_default=None, validate=validate.Length(max=40))
    actor = Text(load_default=None, allow_none=True, allow_blank=True, max_length=64)
    date_from = Day(load_default=None)
    date_to = Day(load_default=None)
    q = Text(load_default=None, allow_none=True, allow_blank=True, max_length=100)


def audit_filters(args) -> tuple[dict, dict]:
    """(trail_query's filters, errors by field) of a page's query; blanks mean no filter."""
    raw = {key: value for key, value in args.items() if key in AuditFilterArgs._declared_fields and value.strip()}
    try:
        data = AuditFilterArgs().load(raw)
    except ValidationError as error:
        return {}, error.normalized_messages()
    if data["date_from"] and data["date_to"] and data["date_from"] > data["date_to"]:
        return {}, {"date_to": [gettext("Ngày kết thúc phải sau ngày bắt đầu.")]}
    return {"entity": data["entity"], "actor_name": data["actor"] or None, "date_from": data["date_from"],
            "date_to": data["date_to"], "text": data["q"] or None}, {}


def _value(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return gettext("có") if value else gettext("không")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def readable_changes(entry) -> list[tuple[str, str, str | None]]:
    """(field, value or new value, old value when the entry records one) of an entry's changes."""
    rows = []
    for field, value in json.loads(entry.changes or "{}").items():
        if isinstance(value, list) and len(value) == 2 and not isinstance(value[0], dict):
            rows.append((field, _value(value[1]), _value(value[0])))
        else:
            rows.append((field, _value(value), None))
    return rows


def record_link(entry) -> str | None:
    return entity_link(entry.entity, entry.entity_id)


def entity_link(entity: str, entity_id: int | None) -> str | None:
    """The page of one record of a kind the domains described, if it has one."""
    kind = entity_kinds().get(entity)
    if kind is None or kind.endpoint is None or entity_id is None:
        return None
    try:
        return url_for(kind.endpoint, **{kind.argument: entity_id})
    except BuildError:
        return None


def entity_label(code: str) -> str:
    kind = entity_kinds().get(code)
    return gettext(kind.label) if kind else code


def last_check():
    """The chain's last verification (`flask audit verify` or the page's button), or None."""
    from app.core.audit import last_verification
    return last_verification()


def trail_csv(entries) -> str:
    labels = registry().audit_labels
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([gettext("Số thứ tự"), gettext("Thời điểm"), gettext("Người thực hiện"), gettext("Hành động"),
                     gettext("Đối tượng"), gettext("Mã bản ghi"), gettext("Nội dung"), "Hash"])
    for entry in entries:
        label = labels.get(entry.action)
        changes = "; ".join(f"{field}: {old} → {new}" if old is not None else f"{field}: {new}"
                            for field, new, old in readable_changes(entry))
        writer.writerow([entry.seq, format_datetime(entry.at), neutralise_formula(entry.actor or ""),
                         gettext(label) if label else entry.action, entity_label(entry.entity),
                         entry.entity_id or "", neutralise_formula(changes), entry.hash])
    return buffer.getvalue()


# --- work waiting for auditors (app/work): the newest entries -----------------------------------

RECENT_DAYS = 7


def recent_entries(actor):
    """The entries of the last RECENT_DAYS days (Việt Nam) the actor may read, newest first."""
    from datetime import timedelta

    from app.core import clock
    from app.core.audit import AuditEntry, visible_entries
    since = clock.today() - timedelta(days=RECENT_DAYS - 1)
    start = _vn_midnight_utc(since)
    return (visible_entries(actor, registry().audit_filters)
            .with_only_columns(AuditEntry.seq, AuditEntry.at, AuditEntry.actor, AuditEntry.action,
                               AuditEntry.entity, AuditEntry.entity_id)
            .where(AuditEntry.at >= start).order_by(AuditEntry.seq.desc()))


def _vn_midnight_utc(day):
    from datetime import datetime, timedelta
    return datetime(day.year, day.month, day.day) - timedelta(hours=7)


def recent_entry_row(row):
    from app.core.i18n import translate
    from app.core.registry import WorkRow
    action = registry().audit_labels.get(row.action)
    text = f"{translate(action) if action else row.action} · {entity_label(row.entity)}"
    if row.entity_id is not None:
        text += f" #{row.entity_id}"
    url = entity_link(row.entity, row.entity_id) or url_for("core.audit_trail", entity=row.entity)
    return WorkRow(text, url, f"{row.actor or '—'} · {format_datetime(row.at)}")
