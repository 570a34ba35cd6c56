"""The audit trail as auditors read it, on the one list component (app/core/list_pages.py): filters
(days in Việt Nam, person, kind of record, record number, text), sortable columns, actions and
records in words, changes as rows, links to the records, the chain's last check, and the filtered,
sorted trail as CSV and as a workbook. Access is the trail's own (`trail_query`)."""
import json
import re

from flask import url_for
from flask_babel import gettext
from marshmallow import ValidationError
from werkzeug.routing import BuildError

from app.core.audit import AuditEntry, entity_kinds, trail_query
from app.core.dates import parse_day
from app.core.i18n import N_, error_text
from app.core.list_pages import BAD_DATE, CHOICE, DATE, DATETIME, INTEGER, TEXT, Column, Filter, ListSpec
from app.core.permissions import ADMIN
from app.core.registry import registry
from app.core.templating import format_datetime

END_BEFORE_START = N_("Ngày kết thúc phải sau ngày bắt đầu.")
AUDIT_PAGE_SIZE = 50
_ENTITY_CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")


# --- the list (app/core/list_pages.py): columns, filters, the query of what was typed ----------

def audit_list_spec() -> ListSpec:
    """The trail as a list of the one list component, in the reader's words (the registry's labels
    of actions, the domains' kinds of record): built per request, as the domains register them."""
    yes, no = gettext("có"), gettext("không")
    kinds = {code: kind.label for code, kind in entity_kinds().items()}
    return ListSpec(
        name="nhat-ky",
        title=N_("Nhật ký kiểm toán"),
        columns=(
            Column("seq", N_("Số thứ tự"), AuditEntry.seq, INTEGER),
            Column("at", N_("Thời điểm"), AuditEntry.at, DATETIME),
            Column("actor", N_("Người thực hiện"), AuditEntry.actor),
            Column("action", N_("Hành động"), AuditEntry.action, sortable=False, labels=dict(registry().audit_labels)),
            Column("entity", N_("Hồ sơ"), AuditEntry.entity, sortable=False, labels=kinds),
            Column("record", N_("Mã bản ghi"), AuditEntry.entity_id, INTEGER, sortable=False, shown=False),
            Column("changes", N_("Thay đổi"), AuditEntry.changes, sortable=False,
                   export=lambda raw: changes_text(raw, yes, no)),
            Column("hash", N_("Hash"), AuditEntry.hash, sortable=False),
        ),
        filters=(
            Filter("date_from", N_("Từ ngày"), DATE),
            Filter("date_to", N_("Đến ngày"), DATE),
            Filter("actor", N_("Người thực hiện"), TEXT, max_length=64, placeholder="taichinh"),
            Filter("entity", N_("Loại hồ sơ"), CHOICE),
            Filter("record", N_("Mã bản ghi"), INTEGER, placeholder="123"),
            Filter("q", N_("Số hồ sơ, nội dung"), TEXT, max_length=100, placeholder="DH-2026-0001"),
        ),
        default_sort="-seq",
        page_size=AUDIT_PAGE_SIZE,
    )


def kinds_for(actor) -> dict:
    """The kinds of record the filter offers: an admin reads the accounts' entries only."""
    kinds = entity_kinds()
    if actor.role == ADMIN:
        return {code: kind for code, kind in kinds.items() if not kind.money}
    return kinds


def entity_choices(actor, typed: str | None) -> list[tuple[str, str]]:
    """(code, msgid) of the kinds offered, in the reader's alphabetical order; a code no domain
    described (a link of the work page to such entries) is kept as its own label."""
    choices = sorted(((code, kind.label) for code, kind in kinds_for(actor).items()),
                     key=lambda choice: gettext(choice[1]).casefold())
    typed = (typed or "").strip()
    if typed and _ENTITY_CODE.fullmatch(typed) and typed not in entity_kinds():
        choices.append((typed, typed))
    return choices


def check_filters(view) -> None:
    """The days as the department writes them (dd/mm/yyyy), what is wrong with a day that does not
    parse, and a range that ends before it starts (its end dropped and reported)."""
    for name in ("date_from", "date_to"):
        value = view.values.get(name)
        if value is not None:
            view.raw[name] = value.strftime("%d/%m/%Y")
        elif view.errors.get(name) == BAD_DATE:
            try:
                parse_day(view.raw[name])
            except ValidationError as error:
                view.errors[name] = error_text(error.messages[0])
    start, end = view.values.get("date_from"), view.values.get("date_to")
    if start and end and start > end:
        view.values["date_to"] = None
        view.errors["date_to"] = END_BEFORE_START


def audit_query(actor, values: dict):
    """The actor's trail (the domains' rules: an admin reads the accounts' entries only) under the
    parsed filters; 403 for a role that reads no trail."""
    return trail_query(actor, entity=values.get("entity"), entity_id=values.get("record"),
                       actor_name=values.get("actor"), date_from=values.get("date_from"),
                       date_to=values.get("date_to"), text=values.get("q"))


def _value(value, yes=None, no=None) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return (yes or gettext("có")) if value else (no or gettext("không"))
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def readable(changes: str | None, yes=None, no=None) -> list[tuple[str, str, str | None]]:
    """(field, value or new value, old value when the entry records one) of an entry's changes (JSON)."""
    rows = []
    for field, value in json.loads(changes or "{}").items():
        if isinstance(value, list) and len(value) == 2 and not isinstance(value[0], dict):
            rows.append((field, _value(value[1], yes, no), _value(value[0], yes, no)))
        else:
            rows.append((field, _value(value, yes, no), None))
    return rows


def readable_changes(entry) -> list[tuple[str, str, str | None]]:
    return readable(entry.changes)


def changes_text(changes: str | None, yes=None, no=None) -> str:
    """The downloads' cell of an entry's changes: "field: old → new; field: value"."""
    return "; ".join(f"{field}: {old} → {new}" if old is not None else f"{field}: {new}"
                     for field, new, old in readable(changes, yes, no))


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
