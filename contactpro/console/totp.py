"""A second factor for managers and admins: time-based one-time codes (RFC 6238, pyotp).

A user with a secret must type the 6-digit code of their authenticator app at log-in, besides
the password; a wrong or missing code counts as a failed log-in for the throttle.
"""

from __future__ import annotations

import pyotp

from contactpro.console.users import UserError
from contactpro.models import Agent

ROLES = ("manager", "admin")
# One 30-second step either side, for a phone clock slightly off.
VALID_WINDOW = 1


def enable(agent: Agent) -> str:
    """Give a manager or admin a fresh secret and return it (the caller commits)."""
    if agent.role not in ROLES:
        raise UserError("a second factor is for managers and admins", reason="totp_role")
    agent.totp_secret = pyotp.random_base32()
    return agent.totp_secret


def disable(agent: Agent) -> None:
    """Turn the second factor off (an admin's action when a phone is lost)."""
    agent.totp_secret = None


def provisioning_uri(agent: Agent, issuer: str) -> str:
    """Return the ``otpauth://`` address an authenticator app reads (as a QR code or typed)."""
    if not agent.totp_secret:
        raise UserError(f"{agent.email} has no second factor", reason="totp_off")
    return pyotp.TOTP(agent.totp_secret).provisioning_uri(name=agent.email, issuer_name=issuer)


def code_ok(agent: Agent, code: str) -> bool:
    """Return True when the user needs no code, or ``code`` is their current one."""
    if not agent.totp_secret:
        return True
    digits = code.replace(" ", "").strip()
    return len(digits) == 6 and pyotp.TOTP(agent.totp_secret).verify(
        digits, valid_window=VALID_WINDOW
    )
