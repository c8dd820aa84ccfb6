"""Console fixtures (users, telephony, cheap hashing) for the user commands."""

from tests.webhooks.console.conftest import (  # noqa: F401 - fixtures
    cheap_password_hashing,
    telephony,
    users,
)
