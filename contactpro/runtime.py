"""What one process shares: settings, database, caller-facing text and the figure renderer.

Imported by every ``contactpro`` command module, so it imports nothing heavy: the analytics
layer (pandas, the LLM SDK) is named for type checking only, and ``contactpro <command> -h``
stays quick.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from threadpoolctl import threadpool_limits

from contactpro.config import Settings
from contactpro.db import Database
from contactpro.dialog import applied
from contactpro.dialog.templates import use_templates

if TYPE_CHECKING:
    from contactpro.analytics.runs import Renderer


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
    def from_settings(cls, settings: Settings, *, create_database: bool = True) -> Runtime:
        """Open the database the settings name and make their templates the process's (with
        the approved proposals' layer that database holds).

        With ``create_database`` False a missing SQLite file is not created (the commands:
        only ``init-db`` makes one, so a mistyped path leaves no empty database behind).
        """
        use_templates(settings)
        limit_numeric_threads(settings.numeric_threads)
        db = Database(settings.database_url, create=create_database)
        applied.follow(settings.var_dir, db)
        return cls(settings=settings, db=db)


# The variables the numeric libraries read when they load: OpenBLAS (numpy, scipy), OpenMP
# (scikit-learn, the e5 engine), MKL.
_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def limit_numeric_threads(threads: int) -> None:
    """Give the numeric libraries ``threads`` threads each, loaded now or later (0: no limit).

    A web worker multiplies one short message at a time, and several workers share the cores:
    a BLAS pool of two threads then waits for a core the other worker holds, which turned a
    0.1 ms product into 8 ms under load (docs/operations.md).
    """
    if threads <= 0:
        return
    for var in _THREAD_VARS:
        os.environ[var] = str(threads)
    threadpool_limits(limits=threads)
