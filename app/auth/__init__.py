"""Users, web sessions and API tokens."""


def init_app(app, api):
    from app.auth import models  # noqa: F401 - models for the schema
    from app.auth.api import blp as auth_api
    from app.auth.cli import register as register_cli
    from app.auth.loaders import register_user_loaders
    from app.auth.views import bp as auth_views
    from app.extensions import login_manager

    api.register_blueprint(auth_api)
    app.register_blueprint(auth_views)
    register_user_loaders(login_manager)
    register_cli(app)
