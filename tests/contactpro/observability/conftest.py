"""Console fixtures (users, telephony, cheap hashing) for tests of the console's domain."""

from tests.webhooks.console.conftest import (  # noqa: F401 - fixtures
    cheap_password_hashing,
    telephony,
    users,
)
