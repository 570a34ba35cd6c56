"""The caller of an API read: who a bearer token of a GET or HEAD request names, read as one plain row.

An API read needs of its caller only who they are, their role and unit and what the request guards
check; building an ORM `User` (and its `Unit`) for that was a third of the time of the API's most
frequent read. `Caller` carries those values from the token's statement. Anything else a read asks of
it (an attribute the row does not hold: the unit's paperwork fields, the e-mail address…) comes from
the real `User`, loaded once on first use, so a `Caller` answers whatever a `User` answers.

It is read-only: a request that changes the caller's account is a write (POST, PATCH), and writes
get the ORM `User` (`services.load_token_user`).
"""
import sqlalchemy as sa
from flask_login import UserMixin

from app.auth.models import ApiToken, User
from app.extensions import db
from app.units.models import Unit

CALLER_COLUMNS = ("id", "username", "full_name", "role", "unit_id", "active", "password_change_required",
                  "totp_secret", "role_confirmed")

# A live token of an active user: the token's digest and the time are bound as `digest` and `now`.
LIVE_TOKEN = (ApiToken.token_hash == sa.bindparam("digest"), ApiToken.revoked_at.is_(None),
              ApiToken.expires_at > sa.bindparam("now"), User.active.is_(True))

# Every API read runs this statement first, so it is built once.
TOKEN_CALLER = (
    sa.select(*(User.__table__.c[name] for name in CALLER_COLUMNS),
              Unit.code.label("unit_code"), Unit.name.label("unit_name"))
    .select_from(ApiToken)
    .join(User, User.id == ApiToken.user_id)
    .outerjoin(Unit, Unit.id == User.unit_id)
    .where(*LIVE_TOKEN)
)


class _ReadOnly:
    """Values set once; any other attribute comes from the full record, loaded on first use."""

    def _record(self):
        raise NotImplementedError

    def __getattr__(self, name):  # only for what the row does not hold
        if name.startswith("__"):
            raise AttributeError(name)
        record = self.__dict__.get("_full")
        if record is None:
            record = self._record()
            object.__setattr__(self, "_full", record)
        return getattr(record, name)

    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} is read-only: a write loads the User itself")


class CallerUnit(_ReadOnly):
    def __init__(self, unit_id: int, code: str, name: str):
        self.__dict__.update(id=unit_id, code=code, name=name)

    def _record(self):
        return db.session.get(Unit, self.id)

    def __repr__(self):
        return f"<CallerUnit {self.code}>"


class Caller(_ReadOnly, UserMixin):
    session_token = None  # a token, not a web session

    def __init__(self, row):
        values = row._mapping
        self.__dict__.update({name: values[name] for name in CALLER_COLUMNS})
        self.__dict__["unit"] = (CallerUnit(values["unit_id"], values["unit_code"], values["unit_name"])
                                 if values["unit_id"] is not None else None)

    def _record(self):
        return db.session.get(User, self.id)

    def get_id(self):
        return self.session_token

    @property
    def is_active(self):
        return bool(self.active)

    @property
    def totp_enabled(self) -> bool:
        return self.totp_secret is not None

    def __repr__(self):
        return f"<Caller {self.username} ({self.role})>"
