"""The beat scheduler: one line when the task broker goes away, quiet while it stays away."""

from __future__ import annotations

import logging
from typing import Any

from celery.beat import PersistentScheduler, ScheduleEntry, SchedulingError
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

BROKER_ERRORS = (KombuError, OSError, RedisError)


class Scheduler(PersistentScheduler):
    """Celery's persistent scheduler, telling an operator once that the broker is down.

    Celery logs a traceback for every scheduled task it cannot send (each 15 s for the outbox
    flush) and an error for every reconnection attempt; this logs one warning saying what is
    down and what to do, retries quietly, and one line when the broker answers again.
    """

    broker_down = False

    def apply_entry(self, entry: ScheduleEntry, producer: Any = None) -> None:
        """Send one due task; a broker that cannot be reached is reported once."""
        try:
            self.apply_async(entry, producer=producer, advance=False)
        except SchedulingError as exc:
            if not isinstance(exc.__cause__ or exc.__context__, BROKER_ERRORS):
                log.exception("scheduled task not sent", extra={"task": entry.task})
                return
            self._broker_unreachable(exc.__cause__ or exc.__context__)
            log.debug("scheduled task not sent: broker down", extra={"task": entry.task})
        else:
            if self.broker_down:
                self.broker_down = False
                log.warning("task broker reachable again: scheduled tasks are sent")

    def _ensure_connected(self) -> Any:
        return self.connection.ensure_connection(
            lambda exc, interval: self._broker_unreachable(exc),
            self.app.conf.broker_connection_max_retries,
        )

    def _broker_unreachable(self, exc: BaseException | None) -> None:
        if self.broker_down:
            return
        self.broker_down = True
        log.warning(
            "task broker unreachable at %s (%s): scheduled tasks wait; start Redis or fix "
            "CONTACTPRO_BROKER_URL. Retrying quietly",
            self.app.connection_for_write().as_uri(),
            exc,
        )
