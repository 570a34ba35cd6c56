"""Who may read, post and reverse ledger entries and add their evidence: the one place for it.

Everyone who reads commissions reads the ledger (admins touch no money); the owner unit posts its
own entries and adds their vouchers; finance reverses.
"""
from app.core.permissions import FINANCE_OFFICER, UNIT_ROLES, check_owner_unit, require_role
from commissions.permissions import require_commission_reader as require_ledger_reader  # noqa: F401 - the same rule


def require_poster(actor):
    """A unit's officer posts on the unit's own allocations and commissions."""
    require_role(actor, *UNIT_ROLES)


def require_reverser(actor):
    require_role(actor, FINANCE_OFFICER)


def check_can_attach_to_expenditure(actor, expenditure):
    """The owner unit adds evidence (vouchers, invoices) to its own entries."""
    return check_owner_unit(actor, expenditure, "khoản chi")
