"""Erasing a WhatsApp customer removes their profile name and WaId too."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from contactpro.models import Interaction
from tests.cli.test_customers import cli, everything_in_the_database
from tests.webhooks.test_sms import replies, sms_params

PHONE = "+573001112233"
PROFILE = "Camila Rojas Pérez"


@pytest.mark.parametrize(
    ("body", "language"), [("hola, cuánto debo", "es"), ("hi, what is my balance", "en")]
)
def test_erase_removes_the_whatsapp_profile_name_and_waid(
    backend, app_config, twilio, session, customer_factory, tmp_path: Path, body, language
) -> None:
    if backend is not None:
        pytest.skip("the entry point runs on the test's SQLite file")
    customer_factory(phone=PHONE, language=language)
    params = sms_params(f"whatsapp:{PHONE}", body)
    params.update(To="whatsapp:+15550001000", ProfileName=PROFILE, WaId=PHONE.lstrip("+"))
    assert replies(twilio.post("/twilio/sms", params))
    session.expire_all()
    interaction = session.scalars(select(Interaction)).one()
    assert (interaction.profile_name, interaction.wa_id) == (PROFILE, "573001112233")

    erased = cli(["customers", "erase", "--phone", PHONE, "--yes"], tmp_path, app_config)
    assert erased.returncode == 0, erased.stderr
    assert "erased customer" in erased.stdout
    session.expire_all()
    interaction = session.scalars(select(Interaction)).one()
    assert (interaction.profile_name, interaction.wa_id) == (None, None)
    stored = everything_in_the_database(session)
    assert "3001112233" not in stored and "Camila" not in stored and "Rojas" not in stored
