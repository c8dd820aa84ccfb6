"""How long console sessions live and how many wrong passwords lock a log-in.

The values are settings (:mod:`contactpro.config`): ``CONTACTPRO_SESSION_SECONDS``,
``CONTACTPRO_SESSION_MAX_SECONDS``, ``CONTACTPRO_LOGIN_MAX_FAILURES``,
``CONTACTPRO_LOGIN_MAX_FAILURES_PER_ADDRESS`` and ``CONTACTPRO_LOGIN_LOCKOUT_SECONDS``.
"""

from __future__ import annotations

from dataclasses import dataclass

from contactpro.config import Settings


@dataclass(frozen=True)
class AccountPolicy:
    """Session timeouts and log-in throttling for the console."""

    idle_seconds: int = 8 * 3600
    absolute_seconds: int = 12 * 3600
    account_failures: int = 5
    address_failures: int = 20
    lockout_seconds: int = 15 * 60

    @classmethod
    def from_settings(cls, settings: Settings) -> AccountPolicy:
        """Return the policy the settings give; the absolute timeout is never below the idle."""
        return cls(
            idle_seconds=settings.session_seconds,
            absolute_seconds=max(settings.session_max_seconds, settings.session_seconds),
            account_failures=settings.login_max_failures,
            address_failures=settings.login_max_failures_per_address,
            lockout_seconds=settings.login_lockout_seconds,
        )
