"""The ledger as CSV. To be written."""
