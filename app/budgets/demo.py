def load_budgets():
    """Envelopes, requests in every status and allocations for the current fiscal year."""
