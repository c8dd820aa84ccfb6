"""In a real browser: the agent sees the customer's WhatsApp name and photo, in both languages."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from playwright.sync_api import expect  # noqa: E402
from sqlalchemy import select  # noqa: E402

from contactpro.models import Escalation  # noqa: E402
from tests.contactpro.messaging.conftest import whatsapp_params  # noqa: E402
from tests.webhooks.console.conftest import (  # noqa: E402
    LAPTOP,
    TABLET,
    LiveServer,
    add_customer,
    browser_login,
    shoot,
)


def _receipt_png() -> bytes:
    fig, ax = plt.subplots(figsize=(3, 2), dpi=80)
    ax.text(0.5, 0.5, "RECIBO 125.000", ha="center", va="center", fontsize=14)
    ax.axis("off")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def media_host() -> Iterator[str]:
    """A local stand-in for Twilio's media host serving one photo."""
    photo = _receipt_png()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(photo)))
            self.end_headers()
            self.wfile.write(photo)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def live_config(media_host: str) -> dict[str, Any]:
    """The shared live server, allowed to fetch from the local media host."""
    return {"twilio_account_sid": "AC" + "1" * 32, "voice_recording_hosts": (media_host,)}


def photo_escalation(live: LiveServer, host: str, phone: str, language: str) -> int:
    with live.session() as session:
        add_customer(session, phone, "Wilson Whats", language=language)
    media = [(f"http://{host}/Media/ME{phone[-4:]}", "image/png")]
    params = whatsapp_params(phone, "mi recibo", media=media, profile="Wil 🌻")
    assert live.twilio().post("/twilio/sms", params).status_code == 200
    with live.session() as session:
        escalation = session.scalars(
            select(Escalation).where(Escalation.context["from_number"].as_string() == phone)
        ).one()
        return escalation.id


@pytest.mark.parametrize(
    ("language", "viewport", "profile", "files"),
    [
        ("es", LAPTOP, "Perfil de WhatsApp", "Archivos del cliente"),
        ("en", TABLET, "WhatsApp profile", "Customer files"),
    ],
)
def test_agent_sees_the_whatsapp_name_and_the_photo(
    live_server, page_factory, media_host, language, viewport, profile, files
):
    phone = "+57300114000" + ("1" if language == "es" else "2")
    escalation_id = photo_escalation(live_server, media_host, phone, language)
    page = page_factory(viewport)
    browser_login(page, "ana@example.com")
    page.goto(f"/console/escalations/{escalation_id}?lang={language}")
    expect(page.locator("#h-customer + dl")).to_contain_text(profile)
    expect(page.locator("#profile-name")).to_have_text("Wil 🌻")
    expect(page.locator("#h-media")).to_have_text(files)
    image = page.locator("img.customer-file")
    expect(image).to_be_visible()
    page.wait_for_function("() => document.querySelector('img.customer-file').naturalWidth > 0")
    box = image.bounding_box()
    assert box is not None and box["width"] <= viewport["width"]
    body = page.locator("main").inner_text()
    other = "Customer files" if language == "es" else "Archivos del cliente"
    assert other not in body and "whatsapp_profile" not in body
    shoot(page, f"customer-files-{language}-{'laptop' if viewport is LAPTOP else 'tablet'}")
