"""An operator's catalogue override changes what callers hear, over signed Twilio webhooks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from contactpro.dialog.templates import use_templates
from contactpro.resilience import journal
from tests.conftest import TwilioClient
from tests.webhooks.test_voice import Call, spoken

CALLER = "+573005556666"


@pytest.fixture
def app_config(app_config: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """The app with an operator's template folder that overrides a few phone prompts."""
    folder = tmp_path / "operator-templates"
    folder.mkdir()
    (folder / "es.toml").write_text(
        'voice_language_menu = "Hola, esto es {{ company }}. Marque 1 para español."\n'
        'voice_rate_limited = "Demasiadas llamadas; vuelva mañana."\n'
        'sms_acknowledgement = "Anotado, ya le escribimos."\n',
        encoding="utf-8",
    )
    (folder / "en.toml").write_text(
        'voice_how_can_i_help = "Hello from the operator. What do you need?"\n', encoding="utf-8"
    )
    return {
        **app_config,
        "templates_dir": str(folder),
        "company_name": "Acme Telecom",
        "rate_limit_caller_per_minute": 1,
    }


@pytest.fixture(autouse=True)
def _default_templates_afterwards(app: Flask) -> Iterator[None]:
    """Later tests in this process hear the default catalogue again."""
    yield
    use_templates(replace(app.extensions["contactpro"].settings, templates_dir=""))


def test_override_of_a_voice_prompt_is_what_the_caller_hears(twilio: TwilioClient) -> None:
    call = Call(twilio, CALLER)
    menu = call.start().find("Gather")
    assert menu is not None and menu.get("action") == "/twilio/voice/language"
    said = [el.text for el in menu.iter("Say")]
    # The Spanish prompt is the operator's; the English one, not overridden, is the default.
    assert said == [
        "Hola, esto es Acme Telecom. Marque 1 para español.",
        "For English, press 2 or say English. To speak with an agent, press 0.",
    ]
    assert spoken(call.press("2")) == "Hello from the operator. What do you need?"


def test_override_reaches_the_texts_read_as_constants(twilio: TwilioClient) -> None:
    Call(twilio, CALLER).start()
    limited = Call(twilio, CALLER).start()  # over the limit of one new call a minute
    assert [el.tag for el in limited] == ["Say", "Hangup"]
    assert spoken(limited) == "Demasiadas llamadas; vuelva mañana."
    assert journal.SMS_ACKNOWLEDGEMENT["es"] == "Anotado, ya le escribimos."
    assert journal.SMS_ACKNOWLEDGEMENT["en"] == (
        "We got your message. We will reply in a few minutes."
    )
