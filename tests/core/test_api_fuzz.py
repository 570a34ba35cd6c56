"""Schemathesis drives every operation of the OpenAPI document, in-process, with each role's token.

Every case starts from the saved `spending` world (ids exist) and is sent once per role; every
check schemathesis has is on: no server error, every status, content type, header and body as
documented, valid data accepted and invalid data refused. The stateful test follows the document's
links from the operations that create a record to those that act on it.
"""
import collections
import json
import os
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app import create_app
from tests.support import restore_snapshot

ROLES = ("unit", "dic", "other_unit", "finance", "auditor", "admin", "anonymous")
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "4"))

CONFIG = SchemathesisConfig.from_dict({
    "generation": {"mode": "all", "max-examples": EXAMPLES, "deterministic": True,
                   "with-security-parameters": False},
    "checks": {"enabled": True},
})


def _document_app():
    """The document is built from the code alone: an app on an empty in-memory database serves it."""
    return create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SERVER_NAME": None})


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _document_app(), config=CONFIG)

FUZZ_SETTINGS = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                         suppress_health_check=list(HealthCheck))


def _known_ids(case):
    """Half of a valid case's record ids name records of the world (the ids 1-10), the rest whatever
    schemathesis drew: a case that only ever hits 404 tests nothing behind it."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    for name, value in list(case.path_parameters.items()):
        if isinstance(value, int) and not isinstance(value, bool) and value % 2 == 0:
            case.path_parameters[name] = 2026 if name == "year" else value % 10 + 1


# Rules that hang on the database or on other fields, which no JSON Schema of the request states: a 422
# naming only these fields of the operation is the rule at work, not the document lying. Everything
# else that a valid request hears as 422 fails the run. (Listed in issue 22's report.)
STATE_DEPENDENT = {
    "POST /api/v1/me/password": {"current_password", "new_password"},  # the current one; common or reused
    "POST /api/v1/me/totp/confirm": {"code"},                           # the authenticator's code of now
    "POST /api/v1/users": {"password", "unit_code"},                    # common passwords; a unit that exists
    "PATCH /api/v1/users/{user_id}": {"unit_code", "role"},             # a unit that exists; a role it may hold
    "POST /api/v1/users/{user_id}/password": {"password"},              # common passwords
    # records a body names by id or code must exist (the schema says only "an integer")
    "POST /api/v1/allocations": {"unit_code", "envelope_id", "request_id"},
    "POST /api/v1/transfers": {"from_allocation_id", "to_allocation_id", "decision_date"},  # in the year
    "POST /api/v1/envelopes": {"decision_date"},                        # within its fiscal year
    "POST /api/v1/units": {"kind"},                                     # unit kinds are rows of a table
    "PATCH /api/v1/units/{code}": {"kind"},
    # and: topic text unless a topic_code is sent; a price decision's number and date for "order";
    # an invoice's number and date together
    "POST /api/v1/commissions": {"topic", "allocation_id", "supplier_id", "price_decision_no",
                                 "price_decision_date"},
    "POST /api/v1/expenditures": {"invoice_no", "invoice_date", "allocation_id", "commission_id", "deliverables",
                                  "paid_on"},
    "POST /api/v1/envelopes/{envelope_id}/supplements": {"decision_date"},  # within the envelope's year
    "POST /api/v1/suppliers": {"bank_account", "bank_name"},            # an account and its bank together
    "PATCH /api/v1/suppliers/{supplier_id}": {"bank_account", "bank_name"},
    "POST /api/v1/requests": {"lines"},                                 # quantity x unit cost at most 10^15
    "PATCH /api/v1/requests/{request_id}": {"lines"},
    # the calendar of the record: within its budget year, not before the contract was signed, not after today
    "POST /api/v1/commissions/{commission_id}/sign": {"signed_on"},
    "POST /api/v1/commissions/{commission_id}/close": {"liquidated_on"},
    "POST /api/v1/deliverables/{deliverable_id}/deliver": {"delivered_on"},
    "POST /api/v1/deliverables/{deliverable_id}/accept": {"accepted_on"},
    "GET /api/v1/reports/execution": {"unit"},                          # a unit that exists
    "GET /api/v1/reports/ledger.xlsx": {"unit"},
    "GET /api/v1/reports/ledger.csv": {"unit"},
    "GET /api/v1/public/disclosure": {"period"},                        # disclosed only once the period ended
    "GET /api/v1/public/disclosure/commissions": {"period"},
    "GET /api/v1/public/disclosure/deliverables": {"period"},
}


def _state_dependent_refusal(case, response) -> bool:
    fields = STATE_DEPENDENT.get(f"{case.method.upper()} {case.path}")
    if response.status_code != 422 or not fields:
        return False
    details = (response.json() or {}).get("details") or {}
    return bool(details) and set(details) <= fields


TALLY = collections.Counter()
FIGURES = Path(__file__).resolve().parents[2] / "test-artifacts" / "api-fuzz.json"


@pytest.fixture(scope="module", autouse=True)
def _tally_written():
    """The run's counts (calls by status class, mode and role; refusals excused as state-dependent),
    written to test-artifacts/api-fuzz.json for the closing note."""
    TALLY.clear()
    yield
    FIGURES.parent.mkdir(exist_ok=True)
    FIGURES.write_text(json.dumps(dict(sorted(TALLY.items())), indent=1), encoding="utf-8")


def call_and_validate(case, app, headers, role="finance"):
    response = case.call(app=app, headers=headers)
    state_dependent = _state_dependent_refusal(case, response)
    excluded = [positive_data_acceptance] if state_dependent else []
    case.validate_response(response, excluded_checks=excluded, headers=headers)
    mode = "valid" if case.meta is None or case.meta.generation.mode.is_positive else "invalid"
    TALLY.update(("calls", f"status {response.status_code // 100}xx", f"{mode} data", f"role {role}"))
    TALLY["422 excused as state-dependent"] += state_dependent
    return response


_TURNS = collections.Counter()


def _roles_for(case) -> tuple[str, ...]:
    """Every role for the fuzzed cases and the valid coverage cases; the coverage phase's invalid
    cases (some 3,400, one per broken rule of each field) take the roles in turn, so that the module
    stays within its three minutes and every role still sends invalid data to every operation."""
    meta = case.meta
    if meta is None or meta.phase.name != "coverage" or meta.generation.mode.is_positive:
        return ROLES
    label = f"{case.method} {case.path}"
    _TURNS[label] += 1
    return (ROLES[_TURNS[label] % len(ROLES)],)


SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class World:
    """The saved world is put back only when the last call may have changed it: a write that was
    accepted, or any call that raised. A refused write changes nothing (a rule of its own, tested
    beside each rule), so the thousands of refused and read-only cases share one restore; on
    PostgreSQL a restore costs tens of milliseconds, and doing it before every call cost ten minutes."""
    dirty = True

    @classmethod
    def ready(cls, app, snapshot):
        if cls.dirty:
            restore_snapshot(app, snapshot)
            cls.dirty = False

    @classmethod
    def after(cls, case, response):
        cls.dirty = case.method.upper() not in SAFE_METHODS and response.status_code < 400


@schema.parametrize()
@FUZZ_SETTINGS
def test_every_operation_for_every_role(case, app, _spending_world, _roles_world):
    _known_ids(case)
    for role in _roles_for(case):
        World.ready(app, _spending_world.snapshot)
        World.dirty = True  # until the call has answered
        token = _roles_world.tokens.get(role)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            response = call_and_validate(case, app, headers, role)
        except Exception as error:
            error.add_note(f"role: {role}")
            raise
        World.after(case, response)


# Who acts in the stateful run: the unit files requests, the DIC proposes commissions and spends,
# finance does the rest (approvals, reversals, envelopes, allocations); the admin manages accounts.
ACTORS = {"/api/v1/requests": "unit", "/api/v1/commissions": "dic", "/api/v1/expenditures": "dic",
          "/api/v1/users": "admin", "/api/v1/units": "admin", "/api/v1/topics": "admin"}
FINANCE_ACTS = ("/approve", "/reject", "/reverse", "/return")


def _actor(case) -> str:
    if case.path.endswith(FINANCE_ACTS):
        return "finance"
    return next((role for prefix, role in ACTORS.items() if case.path.startswith(prefix)), "finance")


STATEFUL_EXAMPLES = int(os.environ.get("API_FUZZ_STATEFUL_EXAMPLES", "10"))
STATEFUL_STEPS = int(os.environ.get("API_FUZZ_STATEFUL_STEPS", "6"))


def test_stateful_links_from_creating_to_acting_operations(app, _spending_world, _roles_world):
    """Schemathesis' state machine follows the document's links: a 201 body's id feeds the next step."""
    tokens = _roles_world.tokens

    class Workflow(schema.as_state_machine()):
        def setup(self):
            restore_snapshot(app, _spending_world.snapshot)
            World.dirty = True  # the run writes; the next parametrized case starts from the saved world

        def get_call_kwargs(self, case):
            return {"app": app, "headers": {"Authorization": f"Bearer {tokens[_actor(case)]}"}}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            excluded = [positive_data_acceptance] if _state_dependent_refusal(case, response) else []
            case.validate_response(response, additional_checks=additional_checks, excluded_checks=excluded,
                                   transport_kwargs=kwargs)

    Workflow.run(settings=settings(max_examples=STATEFUL_EXAMPLES, stateful_step_count=STATEFUL_STEPS,
                                   derandomize=True, deadline=None, database=None,
                                   suppress_health_check=list(HealthCheck)))
