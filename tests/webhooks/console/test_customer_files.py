"""Customer files through the console: WhatsApp profile shown, media proxied, never redirected."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from contactpro.models import Escalation, Interaction, MessageMedia
from tests.contactpro.messaging.conftest import (  # noqa: F401 (fixture)
    MediaServer,
    media_server,
    whatsapp_params,
)
from tests.webhooks.console.conftest import add_customer, login

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64 + b"\xff\xd9"
HTML = b"<html><script>alert(1)</script></html>"


@pytest.fixture(autouse=True)
def media_host(app_config, media_server: MediaServer) -> MediaServer:  # noqa: F811
    """Let the app download from the local media server, with the account's credentials
    (autouse: the settings must be in place before the app is built)."""
    app_config.update(
        voice_recording_hosts=(media_server.host,), twilio_account_sid="AC" + "1" * 32
    )
    return media_server


def send_photo(twilio, media: MediaServer, number: str, profile: str, **file: str) -> Escalation:
    url = media.serve("/Media/ME1", file.get("body", JPEG), file.get("type", "image/jpeg"))
    params = whatsapp_params(
        number, "mi recibo", media=[(url, file.get("type", "image/jpeg"))], profile=profile
    )
    twilio.post("/twilio/sms", params)
    return twilio.session.scalars(select(Escalation)).one()


@pytest.fixture
def twilio_with_session(twilio, session):
    twilio.session = session
    return twilio


def test_agent_sees_the_profile_name_and_the_photo_through_the_console(
    client, session, twilio_with_session, users, media_host
):
    add_customer(session, "+573001140001", "Wilson Whats")
    esc = send_photo(twilio_with_session, media_host, "+573001140001", "Wilson ☀\u200b\x07")
    interaction = session.scalars(select(Interaction)).one()
    assert (interaction.profile_name, interaction.wa_id) == ("Wilson ☀", "573001140001")
    login(client, "ana@example.com")
    page = client.get(f"/console/escalations/{esc.id}").text
    note = session.scalars(select(MessageMedia)).one()
    proxied = f"/console/files/{note.id}"
    assert "Perfil de WhatsApp" in page and "Wilson ☀" in page
    assert f'src="{proxied}"' in page and media_host.url("/Media/ME1") not in page
    before = len(media_host.requests)
    response = client.get(proxied)
    assert response.status_code == 200 and response.data == JPEG
    assert response.mimetype == "image/jpeg"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert "Location" not in response.headers
    [fetch] = media_host.requests[before:]
    assert fetch["authorization"] and fetch["authorization"].startswith("Basic ")


def test_english_agent_page_names_the_whatsapp_profile(
    client, session, twilio_with_session, users, media_host
):
    add_customer(session, "+13055550123", "Walter English", language="en")
    esc = send_photo(twilio_with_session, media_host, "+13055550123", "Walt")
    login(client, "ana@example.com")
    page = client.get(f"/console/escalations/{esc.id}?lang=en").text
    assert "WhatsApp profile" in page and "Walt" in page and "Perfil de WhatsApp" not in page
    assert "Customer files" in page


def test_files_need_a_logged_in_agent(client, session, twilio_with_session, users, media_host):
    send_photo(twilio_with_session, media_host, "+573001140009", "Nadie")
    note = session.scalars(select(MessageMedia)).one()
    before = len(media_host.requests)
    response = client.get(f"/console/files/{note.id}")
    assert response.status_code in (302, 401, 403) and response.data != JPEG
    assert len(media_host.requests) == before  # nothing fetched for a stranger


def test_a_url_outside_twilio_is_never_fetched_and_unknown_ids_are_404(
    client, session, twilio_with_session, users, media_host
):
    send_photo(twilio_with_session, media_host, "+573001140010", "Eve")
    note = session.scalars(select(MessageMedia)).one()
    note.url = "http://169.254.169.254/latest/meta-data/"
    session.commit()
    login(client, "ana@example.com")
    before = len(media_host.requests)
    response = client.get(f"/console/files/{note.id}")
    assert response.status_code == 502 and "Twilio" in response.text
    assert "169.254" not in response.text and "Location" not in response.headers
    assert len(media_host.requests) == before
    assert client.get("/console/files/999999").status_code == 404


def test_a_file_a_browser_could_run_is_only_offered_as_a_download(
    client, session, twilio_with_session, users, media_host
):
    send_photo(
        twilio_with_session, media_host, "+573001140011", "Mallory", body=HTML, type="text/html"
    )
    note = session.scalars(select(MessageMedia)).one()
    login(client, "ana@example.com")
    response = client.get(f"/console/files/{note.id}")
    assert response.status_code == 200 and response.mimetype == "application/octet-stream"
    assert response.headers["Content-Disposition"].startswith("attachment")
