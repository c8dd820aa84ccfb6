"""What the service commands (marked ``with_appcontext``) read from the app they run in."""

from __future__ import annotations

from flask import current_app

from contactpro.runtime import Runtime


def runtime() -> Runtime:
    """Return the settings, database and renderer of the app this command runs in."""
    found: Runtime = current_app.extensions["contactpro"]
    return found
