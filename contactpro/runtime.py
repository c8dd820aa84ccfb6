"""What one process shares: settings, database, caller-facing text and the figure renderer."""

from __future__ import annotations

from dataclasses import dataclass

from contactpro.analytics.runs import Renderer
from contactpro.config import Settings
from contactpro.db import Database
from contactpro.dialog.templates import use_templates


@dataclass
class Runtime:
    """The settings and database a web or worker process runs with.

    ``renderer`` draws the dashboards of the analysis runs this process's tasks make. The domain
    never imports the drawing layer: the entry points (the ``contactpro`` command, the WSGI and
    Celery module ``webhooks.wsgi``, the demo) set it to ``dashboards.draw_dashboards``.
    """

    settings: Settings
    db: Database
    renderer: Renderer | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Runtime:
        """Open the database the settings name and make their templates the process's."""
        use_templates(settings)
        return cls(settings=settings, db=Database(settings.database_url))
