"""What every domain's models share: the SQL list of a CHECK constraint and a readable `repr`."""


def in_list(values) -> str:
    """`'a', 'b'`: the values of a `CHECK (column IN (...))` constraint."""
    return ", ".join(f"'{v}'" for v in values)


class Described:
    """A model whose `repr` names it as people do: `<Commission DH-2026-0001 signed>`.

    `__described_by__` lists the attributes shown; only loaded values are read, so a `repr` never
    queries the database (an expired or unloaded attribute shows as `?`).
    """

    __described_by__: tuple[str, ...] = ("id",)

    def __repr__(self) -> str:
        loaded = self.__dict__
        parts = (str(loaded[name]) if name in loaded else "?" for name in self.__described_by__)
        return f"<{type(self).__name__} {' '.join(parts)}>"
