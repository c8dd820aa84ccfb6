"""Confirmations a conversation sends apart from its reply, on the customer's written channel.

A customer writing on WhatsApp gets the agreement or the payment link on WhatsApp, inside the
24-hour window or as the approved template configured for the purpose (``messaging.outbound``:
outside the window without one, nothing is sent and the reason is recorded). Everyone else gets
an SMS to the stored phone, as before.
"""

from __future__ import annotations

from contactpro.dialog.context import TurnContext
from contactpro.messaging.outbound import send
from contactpro.providers.telephony import TelephonyError


def via(ctx: TurnContext) -> str:
    """Return the channel a confirmation goes on: ``whatsapp`` or ``sms``."""
    return "whatsapp" if ctx.channel == "whatsapp" else "sms"


def send_confirmation(
    ctx: TurnContext,
    phone: str,
    text: str,
    *,
    purpose: str,
    variables: dict[str, str] | None = None,
) -> bool:
    """Send ``text`` on :func:`via`; record the outcome as a step; return True once sent."""
    channel = via(ctx)
    if channel == "whatsapp":
        row = send(
            ctx.session,
            ctx.settings,
            ctx.telephony,
            ctx.interaction,
            text,
            purpose=purpose,
            variables=variables,
        )
        outcome = {"sent": "sent", "skipped": "skipped"}.get(row.status, "failed")
    else:
        try:
            ctx.telephony.send_sms(phone, text)
            outcome = "sent"
        except TelephonyError:
            outcome = "failed"
    ctx.state.steps.append(f"confirmation_{channel}_{outcome}")
    return outcome == "sent"
