"""Replay runs a WhatsApp conversation on WhatsApp: whole replies, accents kept."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from flask import Flask

from contactpro.improve import replay
from contactpro.improve.dataset import Conversation, Message, conversation_from_json
from contactpro.improve.proposed import read_proposed
from contactpro.models import Customer


def _replies(app: Flask, tmp_path: Path, conversation: Conversation) -> str:
    rt = app.extensions["contactpro"]
    # An SMS line that drops accents and fits one segment: WhatsApp does neither.
    settings = replace(rt.settings, sms_keep_accents=False, max_sms_segments=1)
    proposal = tmp_path / f"p-{conversation.conversation_id}"
    proposal.mkdir()
    result = replay.replay(rt.db, settings, [conversation], read_proposed(proposal))
    [replayed] = result.baseline
    assert replayed.resolved, replayed
    return " ".join(m.content for m in replayed.transcript if m.role == "assistant")


def _conversation(customer: Customer, channel: str) -> Conversation:
    return Conversation(
        f"live-{channel}",
        [Message("user", "cuánto debo"), Message("user", "4050")],
        channel=channel,
        language="es",
        extra_meta={"customer_id": customer.id, "from_number": customer.phone},
    )


def test_a_whatsapp_conversation_replays_with_whole_whatsapp_replies(
    app: Flask, customer_factory: Callable[..., Customer], tmp_path: Path
) -> None:
    customer = customer_factory(phone="+573001112233", balance="125000")
    whatsapp = _replies(app, tmp_path, _conversation(customer, "whatsapp"))
    assert "Por tu seguridad, escríbeme" in whatsapp
    assert "125.000 pesos, con fecha límite de pago" in whatsapp
    assert "¿Con esto resolví tu consulta?" in whatsapp
    texted = _replies(app, tmp_path, _conversation(customer, "sms"))
    assert "resolví" not in texted and "125.000" in texted


def test_an_exported_whatsapp_conversation_keeps_its_channel() -> None:
    conversation = conversation_from_json(
        {
            "conversation_id": "wa-1",
            "transcript": [{"role": "user", "content": "cuánto debo"}],
            "meta": {"channel": "whatsapp", "language": "es"},
        }
    )
    assert conversation.channel == "whatsapp"
    assert (
        conversation_from_json(
            {
                "conversation_id": "sms-1",
                "transcript": [{"role": "user", "content": "hola"}],
                "meta": {"canal": "SMS"},
            }
        ).channel
        == "sms"
    )
