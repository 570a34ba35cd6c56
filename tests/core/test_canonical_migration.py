"""Migration 0007 puts text stored before it into the canonical form new input takes."""
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.extensions import db
from tests import support


def test_stored_text_becomes_canonical(app, roles):
    decomposed = "So\u031b\u0309 Y te\u0302\u0301\u200b"  # "Sở Y tế" from a decomposed keyboard, a zero-width space
    with app.app_context():
        db.session.execute(sa.text("UPDATE units SET name = :n WHERE code = 'STP'"), {"n": decomposed})
        db.session.commit()
        downgrade(revision="0006_accounts")
        upgrade()
        name = db.session.execute(sa.text("SELECT name FROM units WHERE code = 'STP'")).scalar_one()
        db.session.remove()
    assert name == "Sở Y tế"
    assert support.get(roles["admin"], "/api/v1/units?q=s%E1%BB%9F%20y")["total"] >= 1
