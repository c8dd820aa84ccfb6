"""What one process shares: its settings and its database."""

from __future__ import annotations

from dataclasses import dataclass

from contactpro.config import Settings
from contactpro.db import Database


@dataclass
class Runtime:
    """The settings and database a web or worker process runs with."""

    settings: Settings
    db: Database

    @classmethod
    def from_settings(cls, settings: Settings) -> Runtime:
        """Open the database the settings name."""
        return cls(settings=settings, db=Database(settings.database_url))
