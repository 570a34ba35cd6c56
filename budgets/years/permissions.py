"""Who may see and close a budget year: finance and auditors read it, finance closes it."""
from app.core.permissions import AUDITOR, FINANCE_OFFICER, require_role


def require_read(actor):
    require_role(actor, FINANCE_OFFICER, AUDITOR)


def require_close(actor):
    require_role(actor, FINANCE_OFFICER)
