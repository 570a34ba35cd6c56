"""The OCDS 1.1.5 release package (issue 11, item 4): valid against the official schema, one process
per commission that reached approval, money that adds up, each reader's own share."""
import csv
import json
import os
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests import support
from tests.commissions import builders
from tests.fixtures.worlds import build_world, saved_world
from tests.reports.builders import YEAR, entry, spend

PATH = f"/api/v1/reports/ocds.json?fiscal_year={YEAR}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def package(client, path=PATH):
    return support.get(client, path)


def by_number(body) -> dict:
    """The releases by commission number (the tender's id)."""
    return {release["tender"]["id"]: release for release in body["releases"]}


def contract(release) -> dict:
    (only,) = release["contracts"]
    return only


def transactions_total(release) -> int:
    return sum(t["value"]["amount"] for t in contract(release).get("implementation", {}).get("transactions", []))


# --- the official schema and codelists, shipped under tests/data ------------------------------

SHIPPED_SCHEMA = Path(__file__).resolve().parent.parent / "data" / "ocds-1.1.5"


@pytest.fixture(scope="module")
def schema_dir() -> Path:
    """The standard's schema shipped with the tests (tests/data), or another copy named by OCDS_SCHEMA_DIR."""
    return Path(os.environ.get("OCDS_SCHEMA_DIR") or SHIPPED_SCHEMA)


def _rfc3339(value) -> bool:
    if not isinstance(value, str):
        return True  # formats constrain strings only
    if not RFC3339.match(value):
        return False
    datetime.fromisoformat(value.replace("Z", "+00:00"))  # a real day and time, or ValueError
    return True


def _absolute_uri(value) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc)


@pytest.fixture(scope="module")
def validator(schema_dir):
    """The Draft 4 validator the package schema declares, its $ref to the release schema resolved
    to the local file (no network), date-time and uri formats checked."""
    from jsonschema import Draft4Validator, FormatChecker, validators
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    package_schema = json.loads((schema_dir / "release-package-schema.json").read_text(encoding="utf-8"))
    release_schema = json.loads((schema_dir / "release-schema.json").read_text(encoding="utf-8"))
    assert validators.validator_for(package_schema) is Draft4Validator
    registry = Registry().with_resource(release_schema["id"],
                                        Resource.from_contents(release_schema, default_specification=DRAFT4))
    checker = FormatChecker(formats=())
    checker.checks("date-time", raises=ValueError)(_rfc3339)
    checker.checks("uri")(_absolute_uri)
    return Draft4Validator(package_schema, registry=registry, format_checker=checker)


@pytest.fixture(scope="module")
def codelists(schema_dir) -> dict:
    lists = {}
    for path in (schema_dir / "codelists").glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            lists[path.name] = {row["Code"] for row in csv.DictReader(handle)}
    return lists


def schema_errors(validator, body) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]


# --- a richer world: every state a process can be in ----------------------------------------

@saved_world(scope="module")
def _states_world(app, _roles_world, _spending_world):
    return build_world(app, "ocds.states",
                       lambda: _build_states(_spending_world.copy(), _roles_world.clients(app)),
                       base=_spending_world)


@pytest.fixture
def states(_states_world):
    """Beside `spending`: an approved commission not yet signed, one cancelled after approval, one
    rejected, one closed after payment, one cancelled after signing, an advance partly recovered
    (with one deliverable accepted in part and one refused), and uploaded documents. Built once for
    the module, restored before each test."""
    return _states_world.copy()


def _build_states(spending, roles):
    dic, unit, finance = roles["dic"], roles["unit"], roles["finance"]
    budget = spending.budget
    press, training = budget.allocation("dic", "press"), budget.allocation("unit", "training")
    one = builders.item("Lớp tập huấn", "training_course", quantity=1, unit_price=8_000_000)

    approved = builders.propose(unit, training, budget.suppliers["training"], one, category="training",
                                title="Chờ ký hợp đồng")
    builders.approve(finance, approved["id"])
    cancelled = builders.propose(dic, press, budget.suppliers["press"], title="Hủy sau khi duyệt")
    builders.approve(finance, cancelled["id"])
    support.ok(dic.post(f"/api/v1/commissions/{cancelled['id']}/cancel", json={"reason": "Đổi kế hoạch"}), 200)
    rejected = builders.propose(dic, press, budget.suppliers["press"], title="Bị từ chối")
    support.ok(finance.post(f"/api/v1/commissions/{rejected['id']}/reject", json={"reason": "Trùng nội dung"}), 200)

    closed = builders.propose(unit, training, budget.suppliers["training"], one, category="training",
                              title="Đã thanh lý", method="bidding")
    builders.approve(finance, closed["id"])
    builders.sign(unit, closed["id"], contract_no="09/2026/HĐ")
    lesson = closed["deliverables"][0]["id"]
    builders.deliver(unit, lesson, quantity=1)
    builders.accept(unit, lesson, accepted_quantity=1, record_no="BB-NT-09")
    spend(unit, entry(training, closed["id"], "payment", 8_000_000, "TT-09",
                      deliverables=[{"deliverable_id": lesson, "amount": 8_000_000}]))
    support.ok(unit.post(f"/api/v1/commissions/{closed['id']}/close",
                         json={"liquidation_no": "TL-09", "liquidated_on": f"{YEAR}-07-01"}), 200)

    recovered = builders.signed_commission(finance, dic, press, budget.suppliers["press"],
                                           title="Tạm ứng thu hồi một phần")
    spend(dic, entry(press, recovered["id"], "advance", 4_000_000, "TU-10"))
    spend(dic, entry(press, recovered["id"], "recovery", 1_000_000, "THU-10"))
    half, refused = (d["id"] for d in recovered["deliverables"])
    builders.deliver(dic, half)
    builders.accept(dic, half, accepted_quantity=1, record_no="BB-NT-10")
    builders.deliver(dic, refused)
    builders.reject_delivery(dic, refused)

    terminated = builders.signed_commission(finance, dic, press, budget.suppliers["press"], title="Hủy sau khi ký")
    support.ok(dic.post(f"/api/v1/commissions/{terminated['id']}/cancel", json={"reason": "Nhà cung cấp xin dừng"}),
               200)

    contract_file = support.ok(builders.upload_to(dic, f"/api/v1/commissions/{spending.press['id']}/documents",
                                                  filename="hop-dong.pdf"), 201)
    evidence = support.ok(builders.upload_to(dic,
                                             f"/api/v1/deliverables/{spending.press['deliverables'][0]['id']}/documents",
                                             filename="bai-bao.pdf"), 201)
    return {"approved": approved, "cancelled": cancelled, "rejected": rejected, "closed": closed,
            "recovered": recovered, "terminated": terminated, "contract_file": contract_file, "evidence": evidence}


# --- the tests ----------------------------------------------------------------------------------

def test_the_package_validates_against_the_official_schema(spending, states, roles, validator):
    body = package(roles["finance"])
    assert len(body["releases"]) == 7
    assert schema_errors(validator, body) == []


def test_the_validator_does_check_dates_and_references(spending, roles, validator):
    """The schema check is not a blind pass: a bare date, an unknown tag and a missing ocid are
    each reported."""
    body = package(roles["finance"])
    body["releases"][0]["date"] = f"{YEAR}-06-01"
    body["releases"][1]["tag"] = ["paid"]
    del body["releases"][1]["ocid"]
    errors = schema_errors(validator, body)
    assert any("is not a 'date-time'" in e for e in errors), errors
    assert any("'paid' is not one of" in e for e in errors), errors
    assert any("'ocid' is a required property" in e for e in errors), errors


def test_one_process_per_commission_that_reached_approval(spending, states, roles, app):
    body = package(roles["auditor"])
    numbers = {spending.press["number"], spending.training["number"], states["approved"]["number"],
               states["cancelled"]["number"], states["closed"]["number"], states["recovered"]["number"],
               states["terminated"]["number"]}
    prefix = app.config["OCDS_PREFIX"]
    assert {r["ocid"] for r in body["releases"]} == {f"{prefix}-{number}" for number in numbers}
    titles = {r["tender"]["title"] for r in body["releases"]}
    assert "Chưa duyệt" not in titles and "Bị từ chối" not in titles  # proposed and rejected stay out
    assert len({r["ocid"] for r in body["releases"]}) == len(body["releases"])


def test_only_approved_commissions_appear_in_the_fixture(spending, roles):
    body = package(roles["finance"])
    assert set(by_number(body)) == {spending.press["number"], spending.training["number"]}
    assert spending.proposed["number"] not in json.dumps(body)


def test_transactions_sum_to_the_cash_each_commission_received(spending, states, roles):
    finance = roles["finance"]
    ids = {c["number"]: c["id"] for c in support.get(finance, "/api/v1/commissions?per_page=50")["items"]}
    for release in package(finance)["releases"]:
        commission = support.get(finance, f"/api/v1/commissions/{ids[release['tender']['id']]}")
        assert transactions_total(release) == commission["paid"] + commission["outstanding_advance"], release["ocid"]
    numbers = by_number(package(finance))
    assert transactions_total(numbers[spending.press["number"]]) == 20_000_000
    training = contract(numbers[spending.training["number"]])["implementation"]["transactions"]
    # the reversed payment keeps its place, its reversal (a new entry) takes it back
    assert [t["value"]["amount"] for t in training] == [10_000_000, -10_000_000]
    assert training[0]["id"] == spending.reversed_payment["number"] != training[1]["id"]
    recovered = contract(numbers[states["recovered"]["number"]])["implementation"]["transactions"]
    assert [t["value"]["amount"] for t in recovered] == [4_000_000, -1_000_000]


def test_every_transaction_runs_from_the_buyer_to_the_supplier(spending, roles):
    release = by_number(package(roles["finance"]))[spending.press["number"]]
    roles_of = {p["id"]: p["roles"] for p in release["parties"]}
    for transaction in contract(release)["implementation"]["transactions"]:
        assert transaction["payer"] == release["buyer"]
        assert "payer" in roles_of[transaction["payer"]["id"]] and "payee" in roles_of[transaction["payee"]["id"]]
        assert transaction["payee"]["id"] == f"VN-MST-{spending.press['supplier']['tax_code']}"


def test_parties_budget_tender_award_and_contract_of_a_signed_commission(spending, states, roles):
    release = by_number(package(roles["finance"]))[spending.press["number"]]
    parties = {p["roles"][0]: p for p in release["parties"]}
    assert parties["buyer"]["name"] == "Sở Văn hóa, Thể thao và Du lịch"
    assert parties["buyer"]["identifier"] == {"scheme": "VN-GL-DV", "id": "SVHTTDL",
                                              "legalName": "Sở Văn hóa, Thể thao và Du lịch"}
    assert release["buyer"]["id"] == parties["buyer"]["id"]
    assert parties["funder"]["name"].startswith("Sở Tài chính")
    assert parties["supplier"]["identifier"]["id"] == spending.press["supplier"]["tax_code"]
    assert release["tag"] == ["contract", "implementation"]
    assert release["initiationType"] == "tender" and release["language"] == "vi"

    allocation = support.get(roles["finance"], f"/api/v1/allocations/{spending.press['allocation_id']}")
    budget = release["planning"]["budget"]
    assert budget["id"] == str(allocation["id"]) and budget["amount"] == {"amount": allocation["amount"],
                                                                           "currency": "VND"}
    assert allocation["decision_no"] in budget["description"] and "123/QĐ-UBND" in budget["description"]
    assert budget["projectID"] == allocation["envelope_code"]

    assert release["tender"]["procurementMethod"] == "direct"
    assert release["tender"]["value"] == {"amount": 20_000_000, "currency": "VND"}
    (award,) = release["awards"]
    assert award["status"] == "active" and award["value"]["amount"] == 20_000_000
    signed = contract(release)
    assert signed["status"] == "active" and signed["awardID"] == award["id"]
    assert signed["dateSigned"] == f"{YEAR}-02-01T00:00:00+07:00"
    assert spending.press["contract_no"] in signed["description"]
    milestones = signed["implementation"]["milestones"]
    assert [(m["status"], m["dueDate"]) for m in milestones] == [("met", f"{YEAR}-06-30T00:00:00+07:00")] * 2
    # a milestone has no value in OCDS 1.1.5: its price is the tender item of the same id
    items = {item["id"]: item for item in release["tender"]["items"]}
    assert [items[m["id"]]["quantity"] * items[m["id"]]["unit"]["value"]["amount"] for m in milestones] == [
        10_000_000] * 2
    assert all("value" not in m for m in milestones)
    assert all(m["dateMet"] == f"{YEAR}-05-02T00:00:00+07:00" for m in milestones)


def test_each_state_has_its_tags_and_statuses(spending, states, roles):
    numbers = by_number(package(roles["finance"]))
    seen = {state: (r["tag"], r["awards"][0]["status"], contract(r)["status"])
            for state in ("approved", "cancelled", "closed", "terminated", "recovered")
            for r in [numbers[states[state]["number"]]]}
    assert seen == {"approved": (["award", "contract"], "active", "pending"),
                    "cancelled": (["awardCancellation"], "cancelled", "cancelled"),
                    "closed": (["implementation", "contractTermination"], "active", "terminated"),
                    "terminated": (["contractTermination"], "active", "terminated"),
                    "recovered": (["contract", "implementation"], "active", "active")}
    closed = numbers[states["closed"]["number"]]
    assert closed["tender"]["procurementMethod"] == "open"
    assert contract(closed)["period"] == {"startDate": f"{YEAR}-02-01T00:00:00+07:00",
                                          "endDate": f"{YEAR}-07-01T00:00:00+07:00"}
    training = contract(numbers[spending.training["number"]])["implementation"]["milestones"]
    assert [m["status"] for m in training] == ["met", "scheduled"]  # one accepted, one still planned
    recovered = contract(numbers[states["recovered"]["number"]])["implementation"]["milestones"]
    assert [m["status"] for m in recovered] == ["partiallyMet", "notMet"]  # 1 of 2 accepted; refused
    assert "dateMet" not in recovered[1]


def test_documents_are_links_to_the_download_page(spending, states, roles, app):
    release = by_number(package(roles["finance"]))[spending.press["number"]]
    host = urlsplit(app.config["OCDS_URI_BASE"])
    site = f"{host.scheme}://{host.netloc}"
    (contract_file,) = contract(release)["documents"]
    assert contract_file["url"] == f"{site}/documents/{states['contract_file']['id']}"
    assert contract_file["title"] == "hop-dong.pdf" and contract_file["format"] == "application/pdf"
    (evidence,) = contract(release)["implementation"]["documents"]
    assert evidence["url"] == f"{site}/documents/{states['evidence']['id']}"
    assert spending.press["deliverables"][0]["title"] in evidence["description"]
    # the same id downloads the file through the API as well
    assert roles["finance"].get(f"/api/v1/documents/{states['evidence']['id']}").data == support.PDF_BYTES


def test_amounts_are_whole_dong_and_dates_are_rfc3339(spending, states, roles):
    body = package(roles["finance"])
    amounts, dates = [], []

    def walk(node, key=None):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif key == "amount":
            amounts.append(node)
        elif key in ("date", "publishedDate", "dateSigned", "dueDate", "dateMet", "dateModified",
                     "datePublished", "startDate", "endDate"):
            dates.append(node)

    walk(body)
    assert amounts and all(type(a) is int for a in amounts)
    assert dates and all(_rfc3339(d) and RFC3339.match(d) for d in dates)


def test_emitted_codes_are_in_the_codelists(spending, states, roles, codelists):
    body = package(roles["finance"])
    used = {name: set() for name in ("releaseTag.csv", "initiationType.csv", "partyRole.csv", "tenderStatus.csv",
                                     "method.csv", "procurementCategory.csv", "awardStatus.csv", "contractStatus.csv",
                                     "milestoneType.csv", "milestoneStatus.csv", "currency.csv")}
    for release in body["releases"]:
        used["releaseTag.csv"].update(release["tag"])
        used["initiationType.csv"].add(release["initiationType"])
        for party in release["parties"]:
            used["partyRole.csv"].update(party["roles"])
        tender = release["tender"]
        used["tenderStatus.csv"].add(tender["status"])
        used["method.csv"].add(tender["procurementMethod"])
        used["procurementCategory.csv"].add(tender["mainProcurementCategory"])
        used["awardStatus.csv"].update(a["status"] for a in release["awards"])
        for signed in release["contracts"]:
            used["contractStatus.csv"].add(signed["status"])
            for milestone in signed["implementation"]["milestones"]:
                used["milestoneType.csv"].add(milestone["type"])
                used["milestoneStatus.csv"].add(milestone["status"])
    used["currency.csv"].update(re.findall(r'"currency": "([A-Z]{3})"', json.dumps(body)))
    for name, codes in used.items():
        assert codes and codes <= codelists[name], (name, codes - codelists[name])


def test_a_unit_officer_reads_only_its_own_commissions(spending, states, roles):
    stp = package(roles["unit"])
    assert set(by_number(stp)) == {spending.training["number"], states["approved"]["number"],
                                   states["closed"]["number"]}
    assert {r["buyer"]["id"] for r in stp["releases"]} == {"VN-GL-DV-STP"}
    dic = package(roles["dic"])
    assert {r["buyer"]["id"] for r in dic["releases"]} == {"VN-GL-DV-SVHTTDL"}
    assert package(roles["other_unit"])["releases"] == []


def test_auditors_read_it_anonymous_hears_401_and_admin_403(spending, roles):
    assert len(package(roles["auditor"])["releases"]) == 2
    assert roles["anonymous"].get(PATH).status_code == 401
    assert roles["admin"].get(PATH).status_code == 403


def test_a_year_without_commissions_has_no_release(spending, roles):
    body = package(roles["finance"], f"/api/v1/reports/ocds.json?fiscal_year={YEAR + 1}")
    assert body["releases"] == [] and body["version"] == "1.1"


def test_the_statements_are_the_same_for_one_commission_or_several(app, roles, budget):
    dic, finance = roles["dic"], roles["finance"]
    press = budget.allocation("dic", "press")

    def paid_commission(voucher):
        commission = builders.signed_commission(finance, dic, press, budget.suppliers["press"])
        first = commission["deliverables"][0]["id"]
        builders.deliver(dic, first)
        builders.accept(dic, first, record_no=f"BB-{voucher}")
        spend(dic, entry(press, commission["id"], "payment", 10_000_000, voucher,
                         deliverables=[{"deliverable_id": first, "amount": 10_000_000}]))
        support.ok(builders.upload_to(dic, f"/api/v1/commissions/{commission['id']}/documents"), 201)
        support.ok(builders.upload_to(dic, f"/api/v1/deliverables/{first}/documents"), 201)

    paid_commission("TT-Q-1")
    support.get(finance, PATH)  # warm every lazy first-use lookup
    one, small = support.statements_for(app, finance, PATH)
    for n in range(2, 6):
        paid_commission(f"TT-Q-{n}")
    several, large = support.statements_for(app, finance, PATH)
    assert (len(small["releases"]), len(large["releases"])) == (1, 5)
    assert one == several


# --- the Data Review Tool's library (libcoveocds) -------------------------------------------

def _standard_zip(schema_dir: Path) -> bytes:
    """The files libcoveocds reads from the standard's archive (tag 1__1__5), zipped in the archive's
    layout from the copy under tests/data, so the review runs offline."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("standard-1__1__5/", "")
        for path in sorted(schema_dir.rglob("*")):
            if path.is_file() and (path.suffix == ".json" or path.parent.name == "codelists"):
                archive.write(path, f"standard-1__1__5/schema/{path.relative_to(schema_dir).as_posix()}")
    return buffer.getvalue()


@pytest.fixture
def review(schema_dir, monkeypatch):
    """Run libcoveocds as the Data Review Tool does (API context, every additional check), with the
    network shut: a request it tried to make would fail the test."""
    import requests
    from libcoveocds.api import ocds_json_output
    from libcoveocds.config import LibCoveOCDSConfig

    def no_network(*args, **kwargs):
        raise AssertionError(f"libcoveocds tried the network: {args[1:] or kwargs}")

    monkeypatch.setattr(requests.Session, "send", no_network)
    standard = _standard_zip(schema_dir)

    def run(body, tmp_dir):
        config = LibCoveOCDSConfig({"context": "api", "standard_zip": standard, "additional_checks": "all"})
        return ocds_json_output(str(tmp_dir), json_data=body, lib_cove_ocds_config=config, record_pkg=False)
    return run


def test_the_data_review_tool_accepts_the_package_cleanly(spending, states, roles, review, tmp_path):
    body = package(roles["finance"])
    assert len(body["releases"]) == 7  # signed, paid, unpaid, cancelled, closed: every shape a release takes
    result = review(body, tmp_path)
    assert result["version_used"] == "1.1" and result["count"] == 7
    assert result["validation_errors"] == []
    assert dict(result["additional_checks"]) == {}  # e.g. no empty `transactions` of an unpaid commission
    assert result["additional_fields"] == [] and result["all_additional_fields"] == []
    assert result["additional_closed_codelist_values"] == {} and result["additional_open_codelist_values"] == {}
    assert result["deprecated_fields"] == [] and result["extensions"] is None
    assert body["license"] and body["publisher"]["name"]


def test_the_review_does_report_what_it_should(spending, roles, review, tmp_path):
    """The review is not a blind pass: an empty array and a field the standard lacks are reported."""
    body = package(roles["finance"])
    release = body["releases"][0]
    contract(release)["implementation"]["transactions"] = []
    contract(release)["implementation"]["milestones"][0]["value"] = {"amount": 1, "currency": "VND"}
    result = review(body, tmp_path)
    assert result["additional_checks"]["empty_field"] == [
        {"json_location": "releases/0/contracts/0/implementation/transactions"}]
    assert [f["field"] for f in result["additional_fields"]] == ["value"]
