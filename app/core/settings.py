"""Settings for services: the running application's configuration, read by name.

Services stay free of request machinery; what they need from the configuration they ask here.
"""
from flask import current_app


def setting(name: str):
    return current_app.config[name]
