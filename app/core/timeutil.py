from datetime import datetime, timezone


def utcnow() -> datetime:
    """Naive UTC, stored as such on both databases."""
    return datetime.now(timezone.utc).replace(tzinfo=None)
