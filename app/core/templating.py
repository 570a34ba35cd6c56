"""Jinja filters and globals: Vietnamese money and dates, role labels, form helpers."""
from datetime import date, datetime

from flask_babel import get_locale

from app.core.dates import plausible
from app.core.i18n import install_template_gettext
from app.core.money import format_vnd
from app.core.permissions import ROLE_LABELS


def format_date(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if not plausible(value):  # a row written before dates were bounded: shown as stored
        return value.isoformat()[:10]
    return value.strftime("%d/%m/%Y")


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    from datetime import timedelta
    local = value + timedelta(hours=7)  # stored in UTC; the province lives at UTC+7
    return local.strftime("%d/%m/%Y %H:%M")


def percent(part, whole) -> int:
    return int(round(100 * part / whole)) if whole else 0


def register(app):
    install_template_gettext(app)  # after Flask-Babel's init_app, whose callables it replaces
    app.jinja_env.filters.update(vnd=format_vnd, ddmmyyyy=format_date, dt=format_datetime)
    app.jinja_env.tests.update(plausible_day=plausible)
    app.jinja_env.globals.update(ROLE_LABELS=ROLE_LABELS, percent=percent,
                                 current_locale=lambda: str(get_locale()))
