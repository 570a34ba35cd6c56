from app.core.timeutil import utcnow
from app.extensions import db


class UnitKind(db.Model):
    """Unit kinds are data: organisations change (districts abolished in 2025, departments merged)."""

    __tablename__ = "unit_kinds"

    code = db.Column(db.String(40), primary_key=True)
    name = db.Column(db.String(200), nullable=False)


class Unit(db.Model):
    __tablename__ = "units"

    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(20), nullable=False, unique=True)
    name = db.Column(db.String(255), nullable=False)
    kind = db.Column(db.String(40), db.ForeignKey("unit_kinds.code"), nullable=False)
    contact_name = db.Column(db.String(200))
    contact_phone = db.Column(db.String(40))
    contact_email = db.Column(db.String(254))
    active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    def __repr__(self):
        return f"<Unit {self.code}>"
