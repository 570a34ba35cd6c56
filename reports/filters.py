"""What a ledger export covers, and the one way an export's query arguments become it (the API and
the download pages both call `ledger_filter`)."""
from dataclasses import dataclass
from datetime import date

from reports.permissions import units_to_report


@dataclass(frozen=True)
class LedgerFilter:
    fiscal_year: int
    unit_id: int | None = None      # None: the whole province
    date_from: date | None = None   # on the expenditures' paid_on and the audit trail's dates
    date_to: date | None = None


def ledger_filter(actor, args) -> LedgerFilter:
    """The selection of loaded `LedgerArgs`, within what the actor may see (422 on `unit` for a
    unit it may not name)."""
    return LedgerFilter(fiscal_year=args["fiscal_year"], unit_id=units_to_report(actor, args.get("unit")),
                        date_from=args.get("date_from"), date_to=args.get("date_to"))
