"""Settings: defaults, environment, .env, and a clear error for every bad value."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from contactpro.config import ENV_VARS, Settings, company_timezone, load_settings
from contactpro.errors import ConfigError
from tasks import broker_options

TOKEN = {"TWILIO_AUTH_TOKEN": "t0ken"}


def test_defaults_use_sqlite_under_var_and_embedded_broker(tmp_path: Path):
    settings = load_settings(
        environ={**TOKEN, "CONTACTPRO_VAR_DIR": str(tmp_path)}, dotenv_path=None
    )
    assert settings.database_url == f"sqlite:///{tmp_path / 'contactpro.sqlite3'}"
    assert settings.embedded_broker and settings.validate_twilio_signature
    assert settings.anthropic_api_key == ""


def test_environment_then_overrides(tmp_path: Path):
    env = {
        **TOKEN,
        "CONTACTPRO_DATABASE_URL": "postgresql+psycopg://u@db/cp",
        "CONTACTPRO_BROKER_URL": "redis://cache:6379/0",
        "CONTACTPRO_MAX_NO_INPUT": "3",
        "TWILIO_ACCOUNT_SID": "AC" + "a" * 32,
    }
    settings = load_settings({"max_no_input": 5}, environ=env, dotenv_path=None)
    assert settings.database_url.startswith("postgresql")
    assert settings.broker_url == "redis://cache:6379/0" and not settings.embedded_broker
    assert settings.max_no_input == 5
    assert settings.task_visibility_timeout == 600


def test_visibility_timeout_reaches_the_redis_broker():
    env = {
        **TOKEN,
        "CONTACTPRO_BROKER_URL": "redis://cache:6379/0",
        "CONTACTPRO_TASK_VISIBILITY_TIMEOUT": "120",
        "CONTACTPRO_TASK_QUEUE": "cc-a",
    }
    options = broker_options(load_settings(environ=env, dotenv_path=None))
    transport = options["broker_transport_options"]
    assert transport["visibility_timeout"] == 120
    # Each deployment sharing a Redis restores only its own unacknowledged tasks.
    assert {transport[k] for k in ("unacked_key", "unacked_index_key", "unacked_mutex_key")} == {
        "cc-a.unacked",
        "cc-a.unacked_index",
        "cc-a.unacked_mutex",
    }


def test_dotenv_file_is_read_and_environment_wins(tmp_path: Path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("TWILIO_AUTH_TOKEN=from-file\nCONTACTPRO_COMPANY_NAME=Acme Telecom\n")
    settings = load_settings(environ={"CONTACTPRO_COMPANY_NAME": "Env Co"}, dotenv_path=dotenv)
    assert settings.twilio_auth_token == "from-file"
    assert settings.company_name == "Env Co"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CONTACTPRO_DATABASE_URL": "not a url"}, "CONTACTPRO_DATABASE_URL is not"),
        ({"CONTACTPRO_DATABASE_URL": "mysql://x/y"}, "sqlite:// or postgresql://"),
        ({"CONTACTPRO_BROKER_URL": "kafka://x"}, "CONTACTPRO_BROKER_URL must be"),
        ({"TWILIO_ACCOUNT_SID": "AC123"}, "TWILIO_ACCOUNT_SID"),
        ({"CONTACTPRO_PUBLIC_URL": "ftp://x"}, "CONTACTPRO_PUBLIC_URL"),
        ({"CONTACTPRO_PUBLIC_URL": "https://x/?a=1"}, "without a query"),
        ({"CONTACTPRO_MAX_NO_INPUT": "two"}, "whole number"),
        ({"CONTACTPRO_MAX_NO_INPUT": "0"}, "at least 1"),
        ({"CONTACTPRO_VALIDATE_TWILIO_SIGNATURE": "maybe"}, "true or false"),
        ({"CONTACTPRO_VALIDATE_TWILIO_SIGNATURE": "false"}, "only allowed"),
        ({"CONTACTPRO_DEFAULT_LANGUAGE": "fr"}, "CONTACTPRO_DEFAULT_LANGUAGE"),
        ({"CONTACTPRO_VOICE_LOCALE_ES": "spanish"}, "es-CO"),
        ({"CONTACTPRO_ENV": "staging"}, "CONTACTPRO_ENV"),
        ({"CONTACTPRO_TASK_VISIBILITY_TIMEOUT": "0"}, "CONTACTPRO_TASK_VISIBILITY_TIMEOUT must"),
        ({"CONTACTPRO_TASK_VISIBILITY_TIMEOUT": "5m"}, "whole number"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], message: str):
    with pytest.raises(ConfigError, match=message):
        load_settings(environ={**TOKEN, **env}, dotenv_path=None)


def test_auth_token_required_while_verifying_signatures():
    with pytest.raises(ConfigError, match="TWILIO_AUTH_TOKEN is required"):
        load_settings(environ={}, dotenv_path=None)


def test_verification_can_be_turned_off_only_in_development():
    settings = load_settings(
        environ={"CONTACTPRO_ENV": "development", "CONTACTPRO_VALIDATE_TWILIO_SIGNATURE": "off"},
        dotenv_path=None,
    )
    assert settings.validate_twilio_signature is False


def test_unknown_override_is_an_error():
    with pytest.raises(ConfigError, match="unknown setting"):
        load_settings({"no_such_thing": 1}, environ=TOKEN, dotenv_path=None)


def test_misspelt_variable_stops_start_up_naming_the_nearest(tmp_path: Path):
    env = {**TOKEN, "CONTACTPRO_DATABSE_URL": "postgresql+psycopg://u@db/cp"}
    with pytest.raises(ConfigError) as error:
        load_settings(environ=env, dotenv_path=None)
    assert str(error.value) == (
        "CONTACTPRO_DATABSE_URL is not a ContactPro setting; did you mean CONTACTPRO_DATABASE_URL?"
    )
    dotenv = tmp_path / ".env"
    dotenv.write_text("CONTACTPRO_COMPANY_NAM=Acme\n")
    with pytest.raises(ConfigError, match="did you mean CONTACTPRO_COMPANY_NAME"):
        load_settings(environ=TOKEN, dotenv_path=dotenv)


def test_deploy_and_test_variables_are_not_settings_but_allowed():
    env = {**TOKEN, "CONTACTPRO_WEB_THREADS": "4", "CONTACTPRO_TEST_POSTGRES_URL": "x"}
    assert load_settings(environ=env, dotenv_path=None).company_name == "ContactPro"
    with pytest.raises(ConfigError, match="CONTACTPRO_NOTHING_LIKE_IT is not a ContactPro"):
        load_settings(environ={**env, "CONTACTPRO_NOTHING_LIKE_IT": "1"}, dotenv_path=None)


def test_every_field_has_one_variable_derived_from_its_name():
    names = {f.name for f in fields(Settings)}
    assert set(ENV_VARS.values()) == names and len(ENV_VARS) == len(names)
    assert ENV_VARS["CONTACTPRO_VOICE_HOLD_SECONDS"] == "voice_hold_seconds"
    assert ENV_VARS["TWILIO_AUTH_TOKEN"] == "twilio_auth_token"
    settings = load_settings(
        environ={**TOKEN, "CONTACTPRO_VOICE_HOLD_SECONDS": "7"}, dotenv_path=None
    )
    assert settings.voice_hold_seconds == 7


def test_unknown_override_suggests_the_nearest_field():
    with pytest.raises(ConfigError, match="did you mean 'max_no_input'"):
        load_settings({"max_no_inputs": 1}, environ=TOKEN, dotenv_path=None)


def test_company_time_zone_defaults_to_the_voice_lines_and_is_checked() -> None:
    base = {"twilio_auth_token": "x", "env": "test"}
    assert company_timezone(load_settings(base, environ={}, dotenv_path=None)) == "America/Bogota"
    tokyo = load_settings({**base, "company_timezone": "Asia/Tokyo"}, environ={}, dotenv_path=None)
    assert company_timezone(tokyo) == "Asia/Tokyo"
    with pytest.raises(ConfigError, match="CONTACTPRO_COMPANY_TIMEZONE"):
        load_settings({**base, "company_timezone": "Mars/Olympus"}, environ={}, dotenv_path=None)
