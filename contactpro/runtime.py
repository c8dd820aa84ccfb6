"""What one process shares: its settings, its database and its catalogue of caller-facing text."""

from __future__ import annotations

from dataclasses import dataclass

from contactpro.config import Settings
from contactpro.db import Database
from contactpro.dialog.templates import use_templates


@dataclass
class Runtime:
    """The settings and database a web or worker process runs with."""

    settings: Settings
    db: Database

    @classmethod
    def from_settings(cls, settings: Settings) -> Runtime:
        """Open the database the settings name and make their templates the process's."""
        use_templates(settings)
        return cls(settings=settings, db=Database(settings.database_url))
