"""What each domain tells the notices about itself: the kinds of notice it sends (their texts) and
the rules that turn an audit entry into notices. Kept per application, like the kernel's registry;
a domain registers its own in its `init_app`, so adding one edits no other."""
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask import current_app

EXTENSION_KEY = "pcb_notices"


@dataclass(frozen=True)
class NoticeKind:
    code: str       # "request_returned"
    label: str      # N_(): what the settings page calls it
    subject: str    # N_() with %(name)s placeholders filled from the notice's params
    body: str       # N_(), the same placeholders


@dataclass(frozen=True)
class Outgoing:
    """One notice a rule asks for: to these users, of this kind, about the record at `url`."""

    user_ids: Iterable[int]
    kind: str
    params: dict
    url: str
    dedupe_key: str | None = None


@dataclass
class NoticeRegistry:
    kinds: dict[str, NoticeKind] = field(default_factory=dict)
    # audit action -> rules; `rule(entry)` returns Outgoing items (or none) for that audit entry
    rules: dict[str, list[Callable]] = field(default_factory=dict)
    # periodic scans (overdue work): `scan(today)` returns Outgoing items, each with a dedupe key
    scans: list[Callable] = field(default_factory=list)

    def add_kind(self, kind: NoticeKind):
        self.kinds[kind.code] = kind

    def on(self, action: str, rule: Callable):
        self.rules.setdefault(action, []).append(rule)

    def add_scan(self, scan: Callable):
        self.scans.append(scan)


def notice_registry_of(app) -> NoticeRegistry:
    return app.extensions.setdefault(EXTENSION_KEY, NoticeRegistry())


def notice_registry() -> NoticeRegistry:
    return notice_registry_of(current_app)
