"""What a ledger export covers."""
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class LedgerFilter:
    fiscal_year: int
    unit_id: int | None = None      # None: the whole province
    date_from: date | None = None   # on the expenditures' paid_on and the audit trail's dates
    date_to: date | None = None
