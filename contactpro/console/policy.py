"""How long console sessions live and how many wrong passwords lock a log-in.

These settings belong with the others in :mod:`contactpro.config`; until they move there they
are read here from the same environment (``CONTACTPRO_*``), once, with the same checks.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace

from contactpro.errors import ConfigError

ENV_VARS = {
    "CONTACTPRO_SESSION_SECONDS": "idle_seconds",
    "CONTACTPRO_SESSION_MAX_SECONDS": "absolute_seconds",
    "CONTACTPRO_LOGIN_MAX_FAILURES": "account_failures",
    "CONTACTPRO_LOGIN_MAX_FAILURES_PER_ADDRESS": "address_failures",
    "CONTACTPRO_LOGIN_LOCKOUT_SECONDS": "lockout_seconds",
}


@dataclass(frozen=True)
class AccountPolicy:
    """Session timeouts and log-in throttling for the console."""

    idle_seconds: int = 8 * 3600
    absolute_seconds: int = 12 * 3600
    account_failures: int = 5
    address_failures: int = 20
    lockout_seconds: int = 15 * 60


def load_policy(
    environ: Mapping[str, str] | None = None, *, idle_seconds: int | None = None
) -> AccountPolicy:
    """Read the policy from ``environ`` (default: the process environment); check every value."""
    env = os.environ if environ is None else environ
    values: dict[str, int] = {}
    for var, name in ENV_VARS.items():
        raw = env.get(var, "")
        if raw == "":
            continue
        try:
            values[name] = int(raw)
        except ValueError:
            raise ConfigError(f"{var} must be a whole number, not {raw!r}") from None
        if values[name] < 1:
            raise ConfigError(f"{var} must be at least 1")
    if idle_seconds is not None:
        values["idle_seconds"] = idle_seconds
    policy = replace(AccountPolicy(), **values)
    if policy.absolute_seconds < policy.idle_seconds:
        policy = replace(policy, absolute_seconds=policy.idle_seconds)
    return policy
