"""What one process shares: its settings, its database and the renderer of analysis figures."""

from __future__ import annotations

from dataclasses import dataclass

from contactpro.analytics.runs import Renderer
from contactpro.config import Settings
from contactpro.db import Database


@dataclass
class Runtime:
    """The settings and database a web or worker process runs with.

    ``renderer`` draws the dashboards of the analysis runs this process's tasks make. The domain
    never imports the drawing layer: the ``contactpro`` command (and the demo) set it to
    ``dashboards.draw_dashboards``; without it a run writes its report only.
    """

    settings: Settings
    db: Database
    renderer: Renderer | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Runtime:
        """Open the database the settings name."""
        return cls(settings=settings, db=Database(settings.database_url))
