"""Who may see and do what with envelopes, requests and allocations: the one place for it."""
import sqlalchemy as sa

from app.core.audit import AuditEntry
from app.core.exceptions import Forbidden, InvalidTransition, NotFound
from app.core.permissions import (  # noqa: F401 - shared checks
    ADMIN,
    AUDITOR,
    DIC_OFFICER,
    FINANCE_OFFICER,
    FORBIDDEN_MESSAGE,
    UNIT_OFFICER,
    UNIT_ROLES,
    check_owner_unit,
    check_visible,
    require_role,
    scope_to_unit,
    sees_all,
)
from budgets.models import (
    APPROVED,
    DRAFT,
    REQUEST_ACTIONS_FROM,
    RETURNED,
    SUBMITTED,
    Allocation,
    AllocationTransfer,
    FundingRequest,
)


def require_read_envelopes(actor):
    require_role(actor, FINANCE_OFFICER, AUDITOR, UNIT_OFFICER, DIC_OFFICER)


def require_money_access(actor):
    """Every budget endpoint: the roles that handle or inspect money (admins touch none, rule 10)."""
    require_role(actor, FINANCE_OFFICER, AUDITOR, UNIT_OFFICER, DIC_OFFICER)


# --- requests: a unit's working paper until its first submission (DESIGN §2) ----------------
# A request that was never submitted (a draft, or a draft withdrawn before submission) is seen by
# its unit only; finance and auditors see it from its first submission on, with all its history.
# `submitted_at` is set by every submission and never cleared: it marks "was ever submitted".

def was_submitted(request) -> bool:
    return request.submitted_at is not None


def sees_request(actor, request) -> bool:
    if actor.role in UNIT_ROLES:
        return request.unit_id == actor.unit_id
    return sees_all(actor) and was_submitted(request)


def visible_requests(actor):
    """`sees_request` as a WHERE clause on funding_requests, for lists."""
    if actor.role in UNIT_ROLES:
        return FundingRequest.unit_id == actor.unit_id
    if sees_all(actor):
        return FundingRequest.submitted_at.is_not(None)
    raise Forbidden(FORBIDDEN_MESSAGE)


def check_request_visible(actor, request):
    """Another unit's request, or one never submitted, reads as missing to those who may not see it."""
    if actor.role == ADMIN:
        raise Forbidden(FORBIDDEN_MESSAGE)
    if request is None or not sees_request(actor, request):
        raise NotFound("Không tìm thấy đề nghị.")
    return request


def audit_entries_visible(actor):
    """Readers of the audit trail (finance, auditors, admins) do not see the entries of a request
    never submitted, its documents' uploads included (they are recorded on the request): a WHERE
    clause on audit_entries, registered with the audit list."""
    private = sa.exists().where(FundingRequest.id == AuditEntry.entity_id,
                                FundingRequest.submitted_at.is_(None))
    if actor.role in UNIT_ROLES:
        private = private.where(FundingRequest.unit_id != actor.unit_id)
    return sa.or_(AuditEntry.entity != "request", ~private)


# --- transfers between allocations: seen by whoever sees either allocation --------------------

def visible_transfers(actor):
    """A WHERE clause on allocation_transfers: every transfer for finance and auditors, for a unit
    those that take from or give to one of its allocations; admins read no money (403)."""
    if sees_all(actor):
        return sa.true()
    if actor.role in UNIT_ROLES:
        own = sa.select(Allocation.id).where(Allocation.unit_id == actor.unit_id)
        return sa.or_(AllocationTransfer.from_allocation_id.in_(own), AllocationTransfer.to_allocation_id.in_(own))
    raise Forbidden(FORBIDDEN_MESSAGE)


def check_transfer_visible(actor, transfer, unit_ids):
    """`unit_ids`: the units of the transfer's two allocations. Another unit's transfer reads as missing."""
    if actor.role == ADMIN:
        raise Forbidden(FORBIDDEN_MESSAGE)
    if transfer is None or not (sees_all(actor) or actor.unit_id in unit_ids):
        raise NotFound("Không tìm thấy điều chỉnh dự toán.")
    return transfer


def require_unit_role(actor):
    require_role(actor, UNIT_OFFICER, DIC_OFFICER)


def require_finance(actor):
    require_role(actor, FINANCE_OFFICER)


# An approved request stays open: it may receive further allocations and their papers.
OPEN_FOR_DOCUMENTS = (DRAFT, SUBMITTED, RETURNED, APPROVED)


def check_can_attach(actor, request):
    """The owner unit adds documents to a request unless it was rejected or withdrawn."""
    check_owner_unit(actor, request, "đề nghị")
    if request.status not in OPEN_FOR_DOCUMENTS:
        raise InvalidTransition("Đề nghị đã bị từ chối hoặc đã rút: không nhận thêm tài liệu.",
                                {"file": ["Đề nghị đã bị từ chối hoặc đã rút: không nhận thêm tài liệu."]})
    return request


def request_actions(actor, request) -> dict[str, bool]:
    """What the actor may do with the request now: the buttons a page offers."""
    is_owner = actor.role in UNIT_ROLES and request.unit_id == actor.unit_id
    is_finance = actor.role == FINANCE_OFFICER

    def allowed(action):
        return request.status in REQUEST_ACTIONS_FROM[action]

    return {
        "edit": is_owner and allowed("edit"),
        "submit": is_owner and allowed("submit"),
        "withdraw": is_owner and allowed("withdraw"),
        "upload": is_owner and request.status in OPEN_FOR_DOCUMENTS,
        "decide": is_finance and allowed("return"),
        "allocate": is_finance and allowed("allocate")
        and request.approved_total < request.requested_total,
    }
