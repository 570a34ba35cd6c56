"""The ledger workbook. To be written."""
