"""Addresses, Twilio's messaging fields, media kinds and reply shaping per channel."""

from __future__ import annotations

import pytest

from contactpro.config import load_settings
from contactpro.dialog import sms
from contactpro.errors import ConfigError
from contactpro.messaging.media import MEDIA_ALLOW_LIST, kind_of
from contactpro.phone import channel_address, mask_phone, parse_address, to_e164
from contactpro.providers.twilio_forms import IncomingSms, Media
from tests.contactpro.messaging.conftest import whatsapp_params


@pytest.mark.parametrize(
    ("raw", "channel", "number"),
    [
        ("whatsapp:+573019990608", "whatsapp", "+573019990608"),
        ("WhatsApp:+57 301 999 0608", "whatsapp", "+573019990608"),
        ("+573019990608", "sms", "+573019990608"),
        ("sms:+13055550123", "sms", "+13055550123"),
        ("messenger:1234567890", "sms", "messenger:1234567890"),
    ],
)
def test_addresses_split_into_channel_and_e164(raw, channel, number):
    assert parse_address(raw) == (parse_address(raw).__class__(channel, number))


def test_to_e164_accepts_channel_prefixes_but_not_client_identities():
    assert to_e164("whatsapp:+573019990608") == "+573019990608"
    assert to_e164("client:alice") is None
    assert to_e164("sip:alice@example.com") is None
    assert channel_address("whatsapp", "+573019990608") == "whatsapp:+573019990608"
    assert channel_address("sms", "+573019990608") == "+573019990608"
    assert mask_phone("whatsapp:+573019990608") == "whatsapp:+57********08"


def test_whatsapp_webhook_fields_are_parsed_once():
    url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"
    form = whatsapp_params("+573019990608", "hola", media=[(url, "audio/ogg")], profile="Ana")
    message = IncomingSms.parse(form)
    assert (message.channel, message.from_number, message.to_number) == (
        "whatsapp",
        "+573019990608",
        "+14155238886",
    )
    assert (message.profile_name, message.wa_id) == ("Ana", "573019990608")
    assert message.media == (Media(url, "audio/ogg"),)


def test_a_media_count_without_its_url_leaves_the_text_alone():
    form = whatsapp_params("+573019990608", "hola")
    form["NumMedia"] = "3"
    message = IncomingSms.parse(form)
    assert (message.num_media, message.media, message.body) == (3, (), "hola")


@pytest.mark.parametrize(
    ("content_type", "kind"),
    [
        ("audio/ogg", "audio"),
        ("audio/ogg; codecs=opus", "audio"),
        ("audio/amr", "audio"),
        ("image/jpeg", "image"),
        ("video/mp4", "video"),
        ("application/pdf", "document"),
        ("text/vcard", "document"),
        ("", "other"),
    ],
)
def test_media_kinds(content_type, kind):
    assert kind_of(content_type) == kind


def test_media_downloads_allow_twilio_and_its_cdn_only():
    assert MEDIA_ALLOW_LIST.permits("https://api.twilio.com/2010-04-01/Accounts/AC1/Media/ME1")
    assert MEDIA_ALLOW_LIST.permits("https://mms.twiliocdn.com/AC1/abc")
    assert not MEDIA_ALLOW_LIST.permits("http://api.twilio.com/x")
    assert not MEDIA_ALLOW_LIST.permits("https://twiliocdn.com.evil.example/x")
    assert not MEDIA_ALLOW_LIST.permits("https://169.254.169.254/latest/meta-data")


def test_whatsapp_replies_are_not_cut_to_sms_segments():
    long = "Tu factura de noviembre subió por el cambio de plan y el cargo de instalación. " * 6
    on_sms = sms.for_channel(long, "sms", 3)
    assert sms.segments(on_sms) <= 3 and "ó" not in on_sms
    assert sms.for_channel(long, "whatsapp", 3) == long
    huge = "Una frase larga de prueba. " * 100
    cut = sms.for_channel(huge, "whatsapp", 3)
    assert len(cut) <= sms.WHATSAPP_MAX_CHARS and cut.endswith(".")


def test_content_sids_are_validated():
    base = {"env": "test", "twilio_auth_token": "token"}
    environ = {"CONTACTPRO_WHATSAPP_CONTENT_SIDS": "survey:HX" + "a" * 32}
    good = load_settings(base, environ=environ, dotenv_path=None)
    assert good.whatsapp_content_sids == ("survey:HX" + "a" * 32,)
    with pytest.raises(ConfigError, match="CONTACTPRO_WHATSAPP_CONTENT_SIDS"):
        load_settings(
            base, environ={"CONTACTPRO_WHATSAPP_CONTENT_SIDS": "survey:abc"}, dotenv_path=None
        )


def test_numbered_options_go_on_their_own_lines_on_whatsapp():
    offers = "Te ofrezco: 1) Pago total con 15% de descuento. 2) Tres cuotas. ¿Cuál prefieres?"
    assert sms.for_channel(offers, "whatsapp", 3) == (
        "Te ofrezco:\n1) Pago total con 15% de descuento.\n2) Tres cuotas. ¿Cuál prefieres?"
    )
    assert "\n" not in sms.for_channel(offers, "sms", 3)
