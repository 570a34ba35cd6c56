"""What every HTML page shares: who is acting, bounded query arguments, the years a page offers and
the one way a form is handled.

`handle_form` is the pattern of every form page: validate with the API's schema, call the service;
on bad input or a refused rule, re-render the page with the message and everything typed (422 for
bad input, the rule's own status otherwise); on success flash and redirect. Access errors are not
form errors: they become pages of their own. The commit point commits after the redirect.
"""
from flask import flash, redirect, request
from flask_login import current_user

from app.core import clock
from app.core.exceptions import DomainError, Forbidden, NotFound, Unauthenticated
from app.core.forms import load_form
from app.extensions import db

MAX_PAGE = 10**6


def current_actor():
    """The logged-in user of this page request, as the services take it (the plain object, not the proxy)."""
    return current_user._get_current_object()


def year_choices(selected: int | None = None, *, known=(), next_year: bool = True) -> list[int]:
    """The fiscal years a page's select offers, newest first: last year, this year (in Việt Nam) and,
    unless `next_year` is false, the next; plus the `known` years the data holds and the one selected."""
    this_year = clock.today().year
    years = {this_year - 1, this_year, *known} | ({this_year + 1} if next_year else set())
    return sorted(years | ({selected} if selected else set()), reverse=True)


def int_arg(name: str, low: int | None = None, high: int | None = None) -> int | None:
    """A whole-number query argument within bounds, or None for anything else."""
    raw = request.args.get(name, "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 10:
        return None
    value = int(raw)
    if (low is not None and value < low) or (high is not None and value > high):
        return None
    return value


def page_arg(name: str = "page") -> int:
    return int_arg(name, 1, MAX_PAGE) or 1


def form_errors(error: DomainError) -> dict:
    return error.details or {"_schema": [error.message]}


def handle_form(schema, render, act, done, *, form=None, list_fields=(), invalid_message=None):
    """`render(values, errors, status, message)` draws the page again; `act(data)` calls the
    service; `done(result)` gives (flash message, URL to redirect to)."""
    form = request.form if form is None else form
    if schema is None:
        data, errors, values = {}, {}, dict(form)
    else:
        data, errors, values = load_form(schema, form, list_fields)
    if errors:
        return render(values, errors, 422, invalid_message)
    try:
        result = act(data)
    except DomainError as error:
        if isinstance(error, (NotFound, Forbidden, Unauthenticated)):
            raise
        db.session.rollback()  # what the failed attempt flushed must not show on the page drawn next
        return render(values, form_errors(error), error.status, error.message)
    message, url = done(result)
    flash(message, "success")
    return redirect(url)
