"""What the domains register about themselves: navigation, work items, audit labels and visibility,
document owners, demo data.

Each domain's `init_app(app, api)` adds its entries here; the base template, the audit pages and
the document download read them back, so adding a domain edits no shared file.
"""
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app

from app.core.i18n import N_, NP_

EXTENSION_KEY = "pcb_registry"


@dataclass(frozen=True)
class NavGroup:
    """One menu of the navigation bar ("Ngân sách ▾"); `link` groups are a plain link (their one entry)."""
    key: str
    label: str  # marked with N_() or NP_(); the template translates it
    order: int
    link: bool = False


# The menus, by what people do; a domain may add its own with `add_nav_group`. An entry registered
# without a group (the older `add_nav(endpoint, label, roles, order)`) joins, for each role, the menu of
# the role's grouped entry nearest to it in `order` (orders were positions in the old flat menu), or
# DEFAULT_GROUP if the role has none. The "account" group is the menu under the user's name.
DEFAULT_GROUP = "more"
NAV_GROUPS = (
    NavGroup("work", N_("Việc cần làm"), 0, link=True),
    NavGroup("budget", N_("Ngân sách"), 10),
    NavGroup("commissions", NP_("commissions list", "Đặt hàng"), 20),
    NavGroup("spending", N_("Chi"), 30),
    NavGroup("reports", N_("Báo cáo"), 40),
    NavGroup("admin", N_("Quản trị"), 50),
    NavGroup(DEFAULT_GROUP, N_("Khác"), 60),
    NavGroup("account", N_("Tài khoản"), 100),
)


@dataclass(frozen=True)
class NavEntry:
    endpoint: str
    label: str  # marked with N_(); the template translates it
    roles: tuple[str, ...]
    order: int
    group: str | None = None  # None: placed beside its neighbours (see NAV_GROUPS)
    # the entry's badge counts these work items (their keys), when the role has them
    work: tuple[str, ...] = ()


@dataclass(frozen=True)
class NavMenu:
    """A group as one role sees it: its entries in order."""
    group: NavGroup
    entries: tuple[NavEntry, ...]


@dataclass(frozen=True)
class WorkRow:
    """One record waiting: what it is, where it is, and a detail (a due date, an amount)."""
    text: str
    url: str
    note: str = ""
    urgent: bool = False


@dataclass(frozen=True)
class WorkItem:
    """A kind of work waiting for a role ("Đề nghị bị trả lại").

    `query(actor)` gives a SELECT of the waiting records, in the order the page lists them; `row(r)`
    turns one of its rows into a WorkRow. The work page counts every item of a role in one
    statement (a scalar subquery each) and lists the first rows of each item with one statement
    more. An item whose count is no SQL query (red flags) gives `count(actor) -> int` and
    `rows(actor, limit) -> list[WorkRow]` instead, each a fixed number of statements.
    `url` is the endpoint of the full list ("Xem tất cả"), if there is one. An item that is news
    rather than work (`in_total=False`: the trail's newest entries) is listed and counted on the
    work page but left out of the badge total.
    """
    key: str
    label: str  # marked with N_(); the template translates it
    roles: tuple[str, ...]
    order: int
    query: Callable | None = None
    row: Callable | None = None
    count: Callable | None = None
    rows: Callable | None = None
    url: str | None = None
    url_args: dict = field(default_factory=dict)
    in_total: bool = True


@dataclass(frozen=True)
class DocumentOwner:
    """How one kind of record carries documents.

    `load(actor, owner_id)` returns the record if the actor may see it, else raises NotFound (or
    Forbidden for a role that may never see it): the download uses it. `check_attach(actor, record)`
    raises unless the actor may add a document to that record now: the uploads use it.
    """
    owner_type: str
    load: Callable
    check_attach: Callable


@dataclass
class Registry:
    nav: list[NavEntry] = field(default_factory=list)
    nav_groups: dict[str, NavGroup] = field(default_factory=lambda: {group.key: group for group in NAV_GROUPS})
    work: list[WorkItem] = field(default_factory=list)
    audit_labels: dict[str, str] = field(default_factory=dict)
    # `rule(actor)` gives a WHERE clause on audit_entries: the entries that actor may read.
    audit_filters: list[Callable] = field(default_factory=list)
    document_owners: dict[str, DocumentOwner] = field(default_factory=dict)
    demo_loaders: list[Callable] = field(default_factory=list)  # run in registration order
    late_demo_loaders: list[Callable] = field(default_factory=list)  # then these

    def add_nav(self, endpoint: str, label: str, roles, order: int = 100, *, group: str | None = None,
                work=()):
        """An entry of the menu `group` (DEFAULT_GROUP when none is given) for `roles`; its badge
        counts the work items named in `work` (keys given to `add_work`)."""
        if group is not None and group not in self.nav_groups:
            raise ValueError(f"unknown navigation group {group!r}: add it with add_nav_group first")
        self.nav.append(NavEntry(endpoint, label, tuple(roles), order, group, tuple(work)))
        self.nav.sort(key=lambda entry: entry.order)

    def add_nav_group(self, key: str, label: str, order: int, *, link: bool = False):
        self.nav_groups[key] = NavGroup(key, label, order, link)

    def nav_for(self, role: str) -> list[NavEntry]:
        return [entry for entry in self.nav if role in entry.roles]

    def menus_for(self, role: str) -> list[NavMenu]:
        """The role's entries by group, groups in order; a group with no entry for the role is left out."""
        entries_of = self.nav_for(role)
        placed = [entry for entry in entries_of if entry.group is not None
                  and not self.nav_groups[entry.group].link and entry.group != "account"]

        def group_of(entry):
            if entry.group is not None:
                return entry.group
            if not placed:
                return DEFAULT_GROUP
            return min(placed, key=lambda other: (abs(other.order - entry.order), other.order)).group

        menus = []
        for group in sorted(self.nav_groups.values(), key=lambda g: (g.order, g.key)):
            entries = tuple(entry for entry in entries_of if group_of(entry) == group.key)
            if entries:
                menus.append(NavMenu(group, entries))
        return menus

    def add_work(self, key: str, label: str, roles, *, order: int = 100, query: Callable | None = None,
                 row: Callable | None = None, count: Callable | None = None, rows: Callable | None = None,
                 url: str | None = None, url_args: dict | None = None, in_total: bool = True):
        """A kind of work waiting for `roles` (see WorkItem): `query` and `row`, or `count` and `rows`."""
        if (query is None or row is None) and (count is None or rows is None):
            raise ValueError(f"work item {key!r}: give query and row, or count and rows")
        if any(item.key == key for item in self.work):
            raise ValueError(f"work item {key!r} is registered twice")
        self.work.append(WorkItem(key, label, tuple(roles), order, query, row, count, rows, url, url_args or {},
                                  in_total))
        self.work.sort(key=lambda item: (item.order, item.key))

    def work_for(self, role: str) -> list[WorkItem]:
        return [item for item in self.work if role in item.roles]

    def add_audit_labels(self, labels: dict[str, str]):
        self.audit_labels.update(labels)

    def add_audit_filter(self, rule: Callable):
        self.audit_filters.append(rule)

    def add_document_owner(self, owner_type: str, *, load: Callable, check_attach: Callable):
        self.document_owners[owner_type] = DocumentOwner(owner_type, load, check_attach)


    def add_demo_loader(self, loader: Callable, *, after_all: bool = False):
        """Loaders run in registration order; `after_all` ones after every other (a loader that
        needs the data of domains registered after its own)."""
        (self.late_demo_loaders if after_all else self.demo_loaders).append(loader)

    def all_demo_loaders(self) -> list[Callable]:
        return self.demo_loaders + self.late_demo_loaders


def init_registry(app) -> Registry:
    registry = app.extensions[EXTENSION_KEY] = Registry()
    app.jinja_env.globals.update(nav_for=registry.nav_for, menus_for=registry.menus_for,
                                 ACTION_LABELS=registry.audit_labels)
    return registry


def registry_of(app) -> Registry:
    return app.extensions[EXTENSION_KEY]


def registry() -> Registry:
    return registry_of(current_app)
