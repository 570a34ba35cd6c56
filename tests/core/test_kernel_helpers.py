"""Small kernel helpers the domains share: the years a page offers, a model's readable repr, the
CHECK list, and the documents of several records in one statement."""
from datetime import datetime

import time_machine

from app.core.documents import documents_by_owner
from app.core.models import Described, in_list
from app.core.numbering import NumberSequence
from app.core.pages import year_choices
from tests.support import CountedStatements


@time_machine.travel(datetime(2026, 12, 31, 23, 30, 0), tick=False)  # 06:30 on 01/01/2027 in Việt Nam
def test_year_choices_follow_the_vietnamese_calendar_newest_first():
    assert year_choices() == [2028, 2027, 2026]
    assert year_choices(2020) == [2028, 2027, 2026, 2020]
    assert year_choices(2026, known={2019, 2026}, next_year=False) == [2027, 2026, 2019]


def test_a_repr_names_the_record_and_reads_nothing_unloaded(ctx):
    counter = NumberSequence(name="DN-2026", last_value=7)
    assert repr(counter) == "<NumberSequence DN-2026 7>"

    class Thing(Described):
        __described_by__ = ("number", "status")

    thing = Thing()
    thing.number = "DH-2026-0001"
    assert repr(thing) == "<Thing DH-2026-0001 ?>"


def test_in_list_quotes_each_value():
    assert in_list(("draft", "submitted")) == "'draft', 'submitted'"


def test_documents_of_several_owners_come_in_one_statement(app, ctx):
    with CountedStatements(app) as statements:
        assert documents_by_owner({"request": [1, 2], "deliverable": []}) == {}
    assert len(statements) == 1
    with CountedStatements(app) as statements:
        assert documents_by_owner({"deliverable": []}) == {}
    assert len(statements) == 0
