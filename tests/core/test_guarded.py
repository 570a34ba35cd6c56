"""The kernel's guarded UPDATE (app.core.guarded): a refusal raises and changes nothing, a transition
happens once, and of writers racing for the last room only one gets it (SQLite and PostgreSQL).

The rows live in a table of the test's own, outside the application's metadata, made and dropped
around each test: the kernel knows no domain, so neither do its tests.
"""
import threading
import time

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.core.exceptions import InsufficientFunds, InvalidTransition
from app.core.guarded import forget, guarded_transition, guarded_update
from app.extensions import db


class Base(DeclarativeBase):
    pass


class Jar(Base):
    """A running total beside its limit, and a status."""

    __tablename__ = "test_guarded_jars"

    id: Mapped[int] = mapped_column(primary_key=True)
    held: Mapped[int] = mapped_column(default=0)
    capacity: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(12), default="open")
    note: Mapped[str | None] = mapped_column(sa.String(40))


@pytest.fixture
def jar(app):
    """A jar of capacity 100 holding 60, committed; the table is dropped afterwards."""
    with app.app_context():
        Base.metadata.create_all(db.engine)
        db.session.add(Jar(id=1, held=60, capacity=100))
        db.session.commit()
        db.session.remove()
    yield 1
    with app.app_context():
        db.session.remove()
        Base.metadata.drop_all(db.engine)


def add(jar_id, amount, refusal=None):
    guarded_update(Jar, jar_id, [Jar.held + amount <= Jar.capacity], {"held": Jar.held + amount},
                   refusal or (lambda: InsufficientFunds("Hết chỗ.", {"amount": ["Hết chỗ."]})))


def stored(jar_id) -> tuple:
    return db.session.execute(sa.select(Jar.held, Jar.status, Jar.note).where(Jar.id == jar_id)).one()


def test_an_update_within_the_limit_moves_the_row_and_the_loaded_record_sees_it(jar, ctx):
    loaded = db.session.get(Jar, jar)
    add(jar, 40)
    assert stored(jar) == (100, "open", None)
    assert loaded.held == 100  # forgotten, so read again


def test_a_refusal_raises_its_error_and_changes_nothing(jar, ctx):
    with pytest.raises(InsufficientFunds) as refused:
        add(jar, 41)
    assert (refused.value.code, refused.value.details) == ("insufficient_funds", {"amount": ["Hết chỗ."]})
    assert stored(jar) == (60, "open", None)


def test_the_refusal_reads_the_row_as_the_database_holds_it(jar, ctx):
    loaded = db.session.get(Jar, jar)
    assert loaded.held == 60
    db.session.execute(sa.update(Jar).where(Jar.id == jar).values(held=95)
                       .execution_options(synchronize_session=False))  # another writer, behind the ORM
    with pytest.raises(InsufficientFunds) as refused:
        add(jar, 10, lambda: InsufficientFunds(f"Còn {loaded.capacity - loaded.held}."))
    assert refused.value.message == "Còn 5."


def test_a_transition_moves_the_status_with_its_values_once(jar, ctx):
    record = db.session.get(Jar, jar)

    def refusal(now):
        return InvalidTransition(f"Đang {now.status}.", {"status": [now.status]})

    guarded_transition(Jar, record, ("open",), "closed", refusal, note="đóng")
    assert stored(jar) == (60, "closed", "đóng")
    with pytest.raises(InvalidTransition) as refused:
        guarded_transition(Jar, record, ("open",), "closed", refusal, note="lần hai")
    assert (refused.value.message, refused.value.details) == ("Đang closed.", {"status": ["closed"]})
    assert stored(jar) == (60, "closed", "đóng")


def test_forget_takes_records_and_pairs_and_passes_over_what_is_not_loaded(jar, ctx):
    record = db.session.get(Jar, jar)
    db.session.execute(sa.update(Jar).values(held=70).execution_options(synchronize_session=False))
    assert record.held == 60  # the session still holds the old value
    forget(record, None, (Jar, 999))
    assert record.held == 70
    db.session.execute(sa.update(Jar).values(held=80).execution_options(synchronize_session=False))
    forget((Jar, jar))
    assert record.held == 80


def test_of_two_writers_racing_for_the_last_room_one_gets_it(app, jar):
    """Each writer fits alone (60 + 30 ≤ 100), not both: the second one's UPDATE, re-checked after
    the first commits, finds no room and is refused."""
    start = threading.Barrier(2)
    outcomes = []

    def writer():
        with app.app_context():
            try:
                start.wait(timeout=10)
                add(jar, 30)
                time.sleep(0.3)  # the other writer meanwhile waits on the row (or on SQLite's write lock)
                db.session.commit()
                outcomes.append("moved")
            except InsufficientFunds:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["moved", "refused"]
    with app.app_context():
        assert stored(jar) == (90, "open", None)
