"""Units (departments, agencies, communes and wards) and their kinds."""


def init_app(app, api):
    from app.core.audit import EntityKind, describe_entities
    from app.core.i18n import N_
    describe_entities(app, EntityKind("unit", N_("Đơn vị"), money=False))
    from app.core.i18n import N_
    from app.core.permissions import ADMIN
    from app.core.registry import registry_of
    from app.units import models  # noqa: F401 - models for the schema
    from app.units.api import blp as units_api
    from app.units.views import bp as unit_views

    api.register_blueprint(units_api)
    app.register_blueprint(unit_views)
    app.jinja_env.globals.update(unit_kind_label=kind_label)
    registry = registry_of(app)
    registry.add_nav("units.list_units", N_("Đơn vị"), (ADMIN,), order=10, group="admin")
    registry.add_audit_labels({"unit.create": N_("Thêm đơn vị"), "unit.update": N_("Sửa đơn vị"),
                               "unit.deactivate": N_("Ngừng hoạt động đơn vị"),
                               "unit.activate": N_("Đơn vị hoạt động trở lại")})


def kind_label(kind) -> str:
    """A unit kind's name in the reader's language: the default kinds have translated labels; a kind
    an organisation added, or renamed in the table, shows the table's name."""
    from flask_babel import gettext

    from app.units.services import DEFAULT_UNIT_KINDS

    default = DEFAULT_UNIT_KINDS.get(kind.code)
    return gettext(default) if default is not None and default == kind.name else kind.name
