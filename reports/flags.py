"""Red flags (issue 11, item 5). To be written."""


def find(fiscal_year: int, unit_id: int | None, today=None) -> list[dict]:
    return []
