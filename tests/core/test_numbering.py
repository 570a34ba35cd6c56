"""Human numbers (app.core.numbering): one counter per prefix and year, in the caller's transaction,
distinct under concurrent first uses and bumps (SQLite and PostgreSQL)."""
import threading

import sqlalchemy as sa

from app.core.numbering import NumberSequence, next_number
from app.extensions import db


def test_numbers_count_up_per_prefix_and_year(ctx):
    assert [next_number("DN", 2026) for _ in range(3)] == ["DN-2026-0001", "DN-2026-0002", "DN-2026-0003"]
    assert next_number("DN", 2027) == "DN-2027-0001"
    assert next_number("CT", 2026) == "CT-2026-0001"
    assert next_number("DN", 2026) == "DN-2026-0004"


def test_a_rolled_back_transaction_gives_its_number_back(ctx):
    next_number("DH", 2026)
    db.session.commit()
    assert next_number("DH", 2026) == "DH-2026-0002"
    db.session.rollback()
    assert next_number("DH", 2026) == "DH-2026-0002"


def test_concurrent_first_uses_and_bumps_give_distinct_numbers(app):
    """Eight transactions number at once on a counter that does not exist yet: the losers of the
    first insert bump the winner's row; every number is given once and none is skipped."""
    start = threading.Barrier(8)
    numbers, errors = [], []

    def take():
        with app.app_context():
            try:
                start.wait(timeout=10)
                number = next_number("RC", 2026)
                db.session.commit()
                numbers.append(number)
            except Exception as error:  # noqa: BLE001 - reported below, with the numbers given
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(numbers) == [f"RC-2026-{n:04d}" for n in range(1, 9)]
    with app.app_context():
        assert db.session.execute(sa.select(NumberSequence.last_value)
                                  .where(NumberSequence.name == "RC-2026")).scalar_one() == 8
