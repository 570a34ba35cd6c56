from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC, stored as such on both databases."""
    return datetime.now(UTC).replace(tzinfo=None)
