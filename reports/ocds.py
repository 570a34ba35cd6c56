"""OCDS 1.1.5 release package of the commissions of one fiscal year (issue 11, item 4; DESIGN §6).

One contracting process (ocid = `OCDS_PREFIX` + "-" + commission number) per commission of the year
that reached `approved` (its `approved_at` is set: approved, signed, closed, or cancelled after the
approval). Each release is a full snapshot of the process as it stands now, dated by its latest
change (approval, signature, cancellation, closing, a ledger entry or its reversal, an upload), and
identified within its ocid by that date.

Choices, so that a reader of the data knows what the numbers mean:
- Text is Vietnamese (`language` "vi") whatever the reader's interface language: labels are the
  source strings, never run through gettext.
- Money is an integer number of đồng in `{"amount": int, "currency": "VND"}`; never a float.
- Dates: timestamps are stored in UTC and written with `Z`; business dates (signed on, paid on, due,
  accepted on) are Vietnamese calendar days, written as midnight at +07:00 (Asia/Ho_Chi_Minh has no DST).
  A business date outside 2000-2100 (a typing mistake stored before dates were bounded, such as
  9999-12-31) is left out, field and sentence alike, rather than published.
- Parties: the buyer is the proposing unit (also procuring entity, and payer of the transactions),
  identified in the scheme `VN-GL-DV` (the department's register of budget units; id = unit code);
  the supplier is identified by its tax code in the scheme `VN-MST` (mã số thuế, which is also the
  enterprise code) and is the payee; the funder is the province's Department of Finance, `VN-GL-DV-STC`.
  Neither scheme is (yet) on org-id.guide: both are local registers, named here.
- Tags: approved → award, contract (award active, contract pending); signed → contract, implementation
  (contract active); closed → implementation, contractTermination (contract terminated); cancelled
  before signing → awardCancellation (award and contract cancelled); cancelled after signing →
  contractTermination (contract terminated). The tender section is complete in every case.
- procurementMethod: `order` (đặt hàng) and `assignment` (giao nhiệm vụ) go to one provider chosen
  without competition → `direct`; `bidding` (đấu thầu) → `open`. The Vietnamese name of the method is in
  procurementMethodDetails, the unit-price decision in procurementMethodRationale.
- planning.budget: id = the allocation's id, amount = the allocation's amount, projectID/project = the
  envelope's code and name; the description names the allocation's decision and the envelope's decisions.
- Transactions: one per ledger entry of the commission (advance, payment, recovery), reversed entries
  and their reversals both kept, so the history reads as it was posted. Every transaction runs from
  the buyer (payer) to the supplier (payee) and its value is signed: money paid out is positive
  (advance, the cash part of a payment), money coming back is negative (a recovery of an advance, the
  reversal of an advance or a payment); the reversal of a recovery is positive again. A payment's
  `advance_applied` moves no cash and is not counted again. So the transactions of a commission sum
  to the cash it has received net: paid + outstanding advance (what its allocation's `spent` holds
  for it).
- Milestones (contract.implementation.milestones, type `delivery`): one per deliverable, status
  planned → scheduled, delivered (awaiting acceptance, not yet evaluated) → scheduled, accepted →
  met (partiallyMet when less than the whole quantity was accepted), rejected → notMet. A milestone
  carries no value (OCDS 1.1.5 has no such field): the deliverable's price is its tender item's
  unit value times its quantity, under the same id.
- Empty arrays and objects are left out (a commission with no ledger entry has no `transactions`),
  as the Data Review Tool (libcoveocds) asks; `license` and the publisher come from configuration
  (`OCDS_LICENSE`, `OCDS_PUBLISHER_NAME`).
- Documents: the commission's uploads in contract.documents, the deliverables' evidence in
  contract.implementation.documents, each a link to the app's download page (`/documents/<id>`, on
  the host of `OCDS_URI_BASE`; reading it needs an account that may see the record).
- The package is built with five SQL statements whatever the number of commissions (commissions with
  their unit, supplier, allocation and envelope; envelope decisions; deliverables; ledger entries;
  documents), each filtered by the same subquery, never by a list of ids.
- The configuration names the publisher and the funder: `OCDS_PUBLISHER_NAME` its name and
  `FINANCE_UNIT_CODE` its identifier; `OCDS_LICENSE`, when set, is the package's license URI (none
  is claimed by default).
- A year with no approved commission gives an empty `releases` list (the schema asks for at least one
  release: there is nothing to publish).
"""
from datetime import date, datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload, raiseload

from app.core.dates import plausible
from app.core.documents import Document
from app.core.timeutil import utcnow
from app.extensions import db
from budgets.models import CATEGORY_LABELS, Allocation, EnvelopeDecision
from commissions.expenditures.models import Expenditure
from commissions.models import (
    ACCEPTED,
    APPROVED,
    CANCELLED,
    CLOSED,
    DELIVERABLE_KIND_LABELS,
    DELIVERED,
    DELIVERY_REJECTED,
    METHOD_LABELS,
    PLANNED,
    PRICED_METHODS,
    SIGNED,
    Commission,
    Deliverable,
)

VERSION = "1.1"
CURRENCY = "VND"
LANGUAGE = "vi"
LOCAL_OFFSET = "+07:00"
UNIT_SCHEME, TAX_SCHEME = "VN-GL-DV", "VN-MST"

REACHED_APPROVAL = (APPROVED, SIGNED, CLOSED, CANCELLED)
PROCUREMENT_METHOD = {"order": "direct", "assignment": "direct", "bidding": "open"}
MILESTONE_STATUS = {PLANNED: "scheduled", DELIVERED: "scheduled", ACCEPTED: "met", DELIVERY_REJECTED: "notMet"}


def release_package(fiscal_year: int, unit_id: int | None, base_url: str | None = None, *,
                    public: bool = False) -> dict:
    """The release package of `fiscal_year`: the whole province (`unit_id` None) or one unit's commissions.
    `public` (the package linked from /cong-khai, for anyone): no document and no contact person."""
    config = current_app.config
    base_url = (base_url or config["OCDS_URI_BASE"]).rstrip("/")
    site = _origin(base_url)
    world = _load(fiscal_year, unit_id)
    publisher, finance_code = config["OCDS_PUBLISHER_NAME"], config["FINANCE_UNIT_CODE"]
    if public:
        world.documents = {}
    builder = _Builder(config["OCDS_PREFIX"], (finance_code, publisher), site, world, public=public)
    scope = "/public" if public else "" if unit_id is None else f"/units/{unit_id}"
    package = {
        "uri": f"{base_url}/{fiscal_year}{scope}.json",
        "version": VERSION,
        "publishedDate": _stamp(utcnow()),
        "publisher": {"name": publisher, "scheme": UNIT_SCHEME, "uid": finance_code, "uri": site},
        "releases": [builder.release(commission) for commission in world.commissions],
    }
    if config.get("OCDS_LICENSE"):
        package["license"] = config["OCDS_LICENSE"]
    return package


# --- loading: a fixed number of statements -------------------------------------------------------

class _World:
    def __init__(self, commissions, decisions, deliverables, entries, documents):
        self.commissions = commissions
        self.decisions = _grouped(decisions, lambda d: d.envelope_id)
        self.deliverables = _grouped(deliverables, lambda d: d.commission_id)
        self.entries = _grouped(entries, lambda e: e.commission_id)
        self.documents = _grouped(documents, lambda d: (d.owner_type, d.owner_id))


def _grouped(rows, key) -> dict:
    groups = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return groups


def _load(fiscal_year: int, unit_id: int | None) -> _World:
    conditions = [Commission.fiscal_year == fiscal_year, Commission.approved_at.is_not(None),
                  Commission.status.in_(REACHED_APPROVAL)]
    if unit_id is not None:
        conditions.append(Commission.unit_id == unit_id)
    chosen = sa.select(Commission.id).where(*conditions)
    commissions = db.session.execute(
        sa.select(Commission).where(*conditions).order_by(Commission.number).options(
            joinedload(Commission.unit).raiseload("*"), joinedload(Commission.supplier).raiseload("*"),
            joinedload(Commission.allocation).options(joinedload(Allocation.envelope).raiseload("*"),
                                                      raiseload("*")),
            raiseload("*"))).unique().scalars().all()
    envelopes = sa.select(Allocation.envelope_id).where(
        Allocation.id.in_(sa.select(Commission.allocation_id).where(*conditions)))
    decisions = _rows(sa.select(EnvelopeDecision).where(EnvelopeDecision.envelope_id.in_(envelopes))
                      .order_by(EnvelopeDecision.id))
    deliverables = _rows(sa.select(Deliverable).where(Deliverable.commission_id.in_(chosen))
                         .order_by(Deliverable.commission_id, Deliverable.position, Deliverable.id))
    entries = _rows(sa.select(Expenditure).where(Expenditure.commission_id.in_(chosen)).order_by(Expenditure.id))
    deliverable_ids = sa.select(Deliverable.id).where(Deliverable.commission_id.in_(chosen))
    documents = _rows(sa.select(Document).where(sa.or_(
        sa.and_(Document.owner_type == "commission", Document.owner_id.in_(chosen)),
        sa.and_(Document.owner_type == "deliverable", Document.owner_id.in_(deliverable_ids)))
    ).order_by(Document.id))
    return _World(commissions, decisions, deliverables, entries, documents)


def _rows(stmt):
    return db.session.execute(stmt.options(raiseload("*"))).scalars().all()


# --- values ----------------------------------------------------------------------------------------

def _money(amount) -> dict:
    return {"amount": int(amount), "currency": CURRENCY}


def _stamp(moment: datetime) -> str:
    """A stored (naive UTC) timestamp as an RFC 3339 date-time."""
    return moment.replace(microsecond=0).isoformat() + "Z"


def _day(day: date | None) -> str | None:
    """A Vietnamese calendar day as an RFC 3339 date-time: its midnight at +07:00; None for no date
    or an implausible one (the field is then left out)."""
    return f"{day.isoformat()}T00:00:00{LOCAL_OFFSET}" if plausible(day) else None


def _on(day: date | None) -> str:
    """" ngày dd/mm/yyyy" after a document's number; nothing for no date or an implausible one."""
    return f" ngày {day.strftime('%d/%m/%Y')}" if plausible(day) else ""


def _dated(**fields) -> dict:
    """The date fields that have a publishable value."""
    return {key: value for key, value in fields.items() if value is not None}


def _filled(**fields) -> dict:
    """The fields that are not empty (the Data Review Tool reports an empty array as an error)."""
    return {key: value for key, value in fields.items() if value}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _party_id(scheme: str, code: str) -> str:
    return f"{scheme}-{code}"


class _Builder:
    """Turns one loaded commission into its release."""

    def __init__(self, prefix: str, finance: tuple[str, str], site: str, world: _World, public: bool = False):
        """`finance`: the funder's (unit code, name); `public`: no contact person."""
        self.prefix, self.finance, self.site, self.world, self.public = prefix, finance, site, world, public
        adapter = current_app.url_map.bind(urlsplit(site).netloc or "localhost")
        self.document_path = lambda document_id: adapter.build("core.download_document",
                                                               {"document_id": document_id})

    def release(self, commission: Commission) -> dict:
        deliverables = self.world.deliverables.get(commission.id, [])
        entries = self.world.entries.get(commission.id, [])
        documents = self.world.documents.get(("commission", commission.id), [])
        evidence = [(d, doc) for d in deliverables for doc in self.world.documents.get(("deliverable", d.id), [])]
        moment = _latest_change(commission, entries, documents + [doc for _, doc in evidence])
        buyer, supplier = self._buyer(commission), self._supplier(commission)
        award_id = f"{commission.number}-award"
        return {
            "ocid": f"{self.prefix}-{commission.number}",
            "id": f"{commission.number}-{moment:%Y%m%dT%H%M%SZ}",
            "date": _stamp(moment),
            "tag": _tags(commission),
            "initiationType": "tender",
            "language": LANGUAGE,
            "parties": self._parties(commission, bool(entries)),
            "buyer": buyer,
            "planning": {"rationale": commission.topic, "budget": self._budget(commission.allocation)},
            "tender": self._tender(commission, buyer, deliverables),
            "awards": [{
                "id": award_id, "title": commission.title, "status": _award_status(commission),
                "date": _stamp(commission.approved_at), "value": _money(commission.value), "suppliers": [supplier],
            }],
            "contracts": [self._contract(commission, award_id, buyer, supplier, deliverables, entries, documents,
                                         evidence)],
        }

    # parties
    def _buyer(self, commission) -> dict:
        return {"id": _party_id(UNIT_SCHEME, commission.unit.code), "name": commission.unit.name}

    def _supplier(self, commission) -> dict:
        return {"id": _party_id(TAX_SCHEME, commission.supplier.tax_code), "name": commission.supplier.name}

    def _parties(self, commission, paid: bool) -> list[dict]:
        unit, supplier = commission.unit, commission.supplier
        parties = {}

        def add(scheme, code, name, roles, contact=None):
            party_id = _party_id(scheme, code)
            if party_id in parties:  # the finance department commissioning for itself
                parties[party_id]["roles"] += [r for r in roles if r not in parties[party_id]["roles"]]
                return
            party = {"id": party_id, "name": name, "identifier": {"scheme": scheme, "id": code, "legalName": name},
                     "roles": list(roles)}
            if contact:
                party["contactPoint"] = contact
            parties[party_id] = party

        add(UNIT_SCHEME, unit.code, unit.name, ["buyer", "procuringEntity"] + (["payer"] if paid else []),
            None if self.public else _contact(unit))
        add(UNIT_SCHEME, *self.finance, ["funder"])
        add(TAX_SCHEME, supplier.tax_code, supplier.name, ["supplier"] + (["payee"] if paid else []))
        return list(parties.values())

    # planning
    def _budget(self, allocation: Allocation) -> dict:
        envelope = allocation.envelope
        decisions = "; ".join(f"{d.decision_no}{_on(d.decision_date)}"
                              for d in self.world.decisions.get(envelope.id, []))
        category = CATEGORY_LABELS.get(allocation.category, allocation.category)
        return {
            "id": str(allocation.id),
            "description": (f"Phân bổ kinh phí {category.lower()} theo quyết định {allocation.decision_no}"
                            f"{_on(allocation.decision_date)}, từ nguồn {envelope.code} "
                            f"({envelope.name}; quyết định giao dự toán: {decisions})"),
            "amount": _money(allocation.amount),
            "project": envelope.name,
            "projectID": envelope.code,
        }

    # tender
    def _tender(self, commission, buyer, deliverables) -> dict:
        tender = {
            "id": commission.number, "title": commission.title, "description": commission.topic,
            "status": "complete", "procuringEntity": buyer, "value": _money(commission.value),
            "procurementMethod": PROCUREMENT_METHOD[commission.method],
            "procurementMethodDetails": METHOD_LABELS[commission.method],
            "mainProcurementCategory": "services",
        }
        tender.update(_filled(items=[{
            "id": str(d.id), "description": d.title, "quantity": int(d.quantity),
            "unit": {"name": DELIVERABLE_KIND_LABELS.get(d.kind, d.kind), "value": _money(d.unit_price)},
        } for d in deliverables]))
        if commission.method in PRICED_METHODS and commission.price_decision_no:
            tender["procurementMethodRationale"] = (
                f"Đơn giá theo quyết định {commission.price_decision_no}{_on(commission.price_decision_date)}")
        return tender

    # contract
    def _contract(self, commission, award_id, buyer, supplier, deliverables, entries, documents, evidence) -> dict:
        contract = {"id": commission.number, "awardID": award_id, "title": commission.title,
                    "status": _contract_status(commission), "value": _money(commission.value)}
        contract.update(_dated(dateSigned=_day(commission.signed_on)))
        period = _dated(startDate=_day(commission.signed_on),
                        endDate=_day(commission.liquidated_on) if commission.status == CLOSED else None)
        if period:
            contract["period"] = period
        description = _contract_description(commission)
        if description:
            contract["description"] = description
        if documents:
            contract["documents"] = [self._document(doc) for doc in documents]
        implementation = _filled(
            transactions=[_transaction(entry, buyer, supplier) for entry in entries],
            milestones=[_milestone(d) for d in deliverables],
            documents=[self._document(doc, f"Minh chứng sản phẩm: {d.title}") for d, doc in evidence])
        if implementation:
            contract["implementation"] = implementation
        return contract

    def _document(self, document: Document, description: str | None = None) -> dict:
        out = {"id": str(document.id), "title": document.original_name,
               "url": self.site + self.document_path(document.id), "format": document.content_type,
               "datePublished": _stamp(document.uploaded_at)}
        if description:
            out["description"] = description
        return out


def _contact(unit) -> dict | None:
    contact = {key: value for key, value in (("name", unit.contact_name), ("telephone", unit.contact_phone),
                                             ("email", unit.contact_email)) if value}
    return contact or None


def _latest_change(commission, entries, documents) -> datetime:
    moments = [commission.approved_at, commission.signed_at, commission.cancelled_at, commission.closed_at]
    moments += [moment for e in entries for moment in (e.created_at, e.reversed_at)]
    moments += [doc.uploaded_at for doc in documents]
    return max(m for m in moments if m is not None)


def _tags(commission) -> list[str]:
    if commission.status == APPROVED:
        return ["award", "contract"]
    if commission.status == SIGNED:
        return ["contract", "implementation"]
    if commission.status == CLOSED:
        return ["implementation", "contractTermination"]
    return ["contractTermination"] if commission.signed_at else ["awardCancellation"]


def _award_status(commission) -> str:
    return "cancelled" if commission.status == CANCELLED and not commission.signed_at else "active"


def _contract_status(commission) -> str:
    if commission.status == APPROVED:
        return "pending"
    if commission.status == SIGNED:
        return "active"
    if commission.status == CANCELLED and not commission.signed_at:
        return "cancelled"
    return "terminated"  # closed, or cancelled after signing


def _contract_description(commission) -> str:
    parts = []
    if commission.contract_no:
        signed = f" ký{_on(commission.signed_on)}" if plausible(commission.signed_on) else ""
        parts.append(f"Hợp đồng số {commission.contract_no}{signed}")
    if commission.status == CLOSED and commission.liquidation_no:
        parts.append(f"thanh lý theo biên bản {commission.liquidation_no}{_on(commission.liquidated_on)}")
    if commission.status == CANCELLED and commission.cancel_reason:
        parts.append(f"đã hủy: {commission.cancel_reason}")
    return "; ".join(parts)


def _transaction(entry: Expenditure, buyer: dict, supplier: dict) -> dict:
    return {"id": entry.number, **_dated(date=_day(entry.paid_on)), "value": _money(entry.cash_moved),
            "payer": buyer, "payee": supplier}


def _milestone(deliverable: Deliverable) -> dict:
    status = MILESTONE_STATUS[deliverable.status]
    if deliverable.status == ACCEPTED and (deliverable.accepted_quantity or 0) < deliverable.quantity:
        status = "partiallyMet"
    milestone = {"id": str(deliverable.id), "title": deliverable.title, "type": "delivery", "code": deliverable.kind,
                 **_dated(dueDate=_day(deliverable.due_date)), "status": status}
    if deliverable.status == ACCEPTED:
        milestone.update(_dated(dateMet=_day(deliverable.accepted_on)))
    modified = _day(deliverable.accepted_on) or _day(deliverable.delivered_on)
    milestone.update(_dated(dateModified=modified))
    description = _milestone_description(deliverable)
    if description:
        milestone["description"] = description
    return milestone


def _milestone_description(deliverable: Deliverable) -> str:
    parts = []
    if deliverable.delivered_on:
        parts.append(f"Đã giao {deliverable.delivered_quantity}/{deliverable.quantity}"
                     f"{_on(deliverable.delivered_on)}")
    if deliverable.status == ACCEPTED:
        parts.append(f"nghiệm thu {deliverable.accepted_quantity} theo biên bản {deliverable.record_no}")
    if deliverable.status == DELIVERY_REJECTED and deliverable.reject_reason:
        parts.append(f"không nghiệm thu: {deliverable.reject_reason}")
    return "; ".join(parts)
