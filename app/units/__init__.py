"""Units (departments, agencies, communes and wards) and their kinds."""


def init_app(app, api):
    from app.core.i18n import N_
    from app.core.permissions import ADMIN
    from app.core.registry import registry_of
    from app.units import models  # noqa: F401 - models for the schema
    from app.units.api import blp as units_api
    from app.units.views import bp as unit_views

    api.register_blueprint(units_api)
    app.register_blueprint(unit_views)
    registry_of(app).add_nav("units.list_units", N_("Đơn vị"), (ADMIN,), order=10)
