"""`flask reports ledger --fiscal-year Y -o FILE.xlsx [--unit CODE]` (DESIGN §7)."""
from flask.cli import AppGroup

reports_cli = AppGroup("reports", help="Báo cáo: xuất sổ chi.")
