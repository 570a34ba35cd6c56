"""The report fixture holds what its docstring says (so every report test can trust it)."""


def test_the_world_spent_what_it_says(spending, roles):
    from tests import support
    allocations = support.get(roles["finance"], "/api/v1/allocations?per_page=200")["items"]
    spent = {}
    for allocation in allocations:
        spent[allocation["unit"]["code"]] = spent.get(allocation["unit"]["code"], 0) + allocation["spent"]
    assert {code: amount for code, amount in spent.items() if amount} == spending.spent_by_unit
    assert spending.reversed_payment["status"] == "reversed"
