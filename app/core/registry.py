"""What the domains register about themselves: navigation, audit labels and visibility, document
owners, demo data.

Each domain's `init_app(app, api)` adds its entries here; the base template, the audit pages and
the document download read them back, so adding a domain edits no shared file.
"""
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app

EXTENSION_KEY = "pcb_registry"


@dataclass(frozen=True)
class NavEntry:
    endpoint: str
    label: str  # marked with N_(); the template translates it
    roles: tuple[str, ...]
    order: int


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
    audit_labels: dict[str, str] = field(default_factory=dict)
    # `rule(actor)` gives a WHERE clause on audit_entries: the entries that actor may read.
    audit_filters: list[Callable] = field(default_factory=list)
    document_owners: dict[str, DocumentOwner] = field(default_factory=dict)
    demo_loaders: list[Callable] = field(default_factory=list)  # run in registration order
    late_demo_loaders: list[Callable] = field(default_factory=list)  # then these

    def add_nav(self, endpoint: str, label: str, roles, order: int = 100):
        self.nav.append(NavEntry(endpoint, label, tuple(roles), order))
        self.nav.sort(key=lambda entry: entry.order)

    def nav_for(self, role: str) -> list[NavEntry]:
        return [entry for entry in self.nav if role in entry.roles]

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
    app.jinja_env.globals.update(nav_for=registry.nav_for, ACTION_LABELS=registry.audit_labels)
    return registry


def registry_of(app) -> Registry:
    return app.extensions[EXTENSION_KEY]


def registry() -> Registry:
    return registry_of(current_app)
