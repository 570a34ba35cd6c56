"""OCDS 1.1.5 release package of the commissions (issue 11, item 4). To be written."""


def release_package(fiscal_year: int, unit_id: int | None, base_url: str | None = None) -> dict:
    raise NotImplementedError
