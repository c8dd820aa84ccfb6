"""Connection problems: a known outage first, else a guided check that remembers its step.

What the customer reports while a step is pending counts: "still dropping" is not fixed, and a
red LOS light (the fibre signal) goes straight to the fibre step, or to a technician once that
step was tried. Outage times are said on the customer's clock (their own time zone, else the
company's), never in UTC.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from contactpro.dialog import identity
from contactpro.dialog.context import ESCALATE, Decision, TurnContext
from contactpro.models import ServiceOutage, utcnow
from contactpro.nlu.text import normalise

_STILL_BROKEN = re.compile(
    r"\b(no|sigue|todavia|aun|still|not|doesn'?t|isn'?t|nothing|nada)\b.*"
    r"\b(funciona|sirve|anda|conecta|works?|working|igual|same)\b|\bsigue igual\b|\bnada\b"
)
_SYMPTOM = re.compile(
    r"\b(se cae|se corta|se va|intermitente|lento|lenta|dropping|drops|keeps dropping|cutting out|"
    r"slow|parpadea|blinking|flashing)\b"
)
# "Red" is also Spanish for network: the English colour needs a light next to it.
_RED_LIGHT = re.compile(
    r"\b(luz|led|los)\b.*\b(roja|rojo)\b|\b(roja|rojo)\b.*\b(luz|led)\b|"
    r"\b(light|led)\b.*\bred\b|\bred (los|light|led)\b|"
    r"\blos (light )?(is )?red\b"
)
# The guide's step about the fibre light (troubleshoot_steps, counting from 0).
FIBRE_STEP = 2
_WORKS = re.compile(r"\b(ya )?(funciona|sirve|anda|conecta|volvio|works?|working|back)\b")


def _result(intent: str, text: str) -> str | None:
    """Read "is it working now?": fixed, broken, or None when the answer is something else."""
    norm = normalise(text)
    if _RED_LIGHT.search(norm):
        return "red_light"
    if intent == "deny" or _STILL_BROKEN.search(norm) or _SYMPTOM.search(norm):
        return "broken"
    if intent == "affirm" or _WORKS.search(norm):
        return "fixed"
    if intent == "connection_problem":
        return "broken"
    return None


def current_outage(ctx: TurnContext, city: str | None) -> ServiceOutage | None:
    """Return an unresolved outage in ``city`` that has started."""
    if not city:
        return None
    now = utcnow()
    return ctx.session.scalars(
        select(ServiceOutage)
        .where(
            ServiceOutage.city == city,
            ServiceOutage.starts_at <= now,
            ServiceOutage.resolved_at.is_(None),
        )
        .order_by(ServiceOutage.starts_at.desc())
    ).first()


def _step(ctx: TurnContext, index: int) -> Decision:
    ctx.state.slots["step"] = index
    text = f"{ctx.say('troubleshoot_steps', index=index)} {ctx.say('troubleshoot_ask')}"
    return Decision(text, step=f"troubleshoot_{index + 1}")


def start(ctx: TurnContext) -> Decision:
    """Check for an outage in the customer's city; otherwise begin the guide."""
    if (question := identity.require(ctx, identity.IDENTIFIED, "connection_problem")) is not None:
        return question
    customer = ctx.customer
    outage = current_outage(ctx, customer.city if customer else None)
    if outage is not None:
        ctx.state.finish()
        until = ctx.say_time(outage.expected_end_at) if outage.expected_end_at else ""
        description = outage.description_es if ctx.language == "es" else outage.description_en
        return Decision(
            ctx.say("outage", city=outage.city, description=description, until=until),
            step="told_outage",
            resolved=True,
        )
    ctx.state.start("connection", "step_result", step=0)
    return _step(ctx, 0)


def reply(ctx: TurnContext) -> Decision:
    """Move through the guide: fixed ends it, not fixed goes on, the end hands over."""
    result = _result(ctx.understood.intent, ctx.text)
    index = int(ctx.state.slots.get("step", 0))
    if result == "fixed":
        ctx.state.finish()
        ctx.state.outcome_detail = "fixed"
        return Decision(ctx.say("troubleshoot_fixed"), step="connection_fixed", resolved=True)
    if result is None:
        # Anything else while a step is pending: ask again once about this step.
        if ctx.state.slots.get("asked_again"):
            ctx.state.finish()
            return Decision("", ESCALATE, reason="not_understood")
        ctx.state.slots["asked_again"] = True
        return Decision(ctx.say("troubleshoot_ask"))
    total = ctx.templates.count("troubleshoot_steps", ctx.language)
    if result == "red_light" and index < FIBRE_STEP < total:
        ctx.state.slots["asked_again"] = False
        decision = _step(ctx, FIBRE_STEP)
        return Decision(f"{ctx.say('troubleshoot_next')} {decision.text}", step=decision.step)
    if result == "red_light" or index + 1 >= total:
        ctx.state.finish()
        return Decision(
            ctx.say("troubleshoot_failed", count=index + 1),
            ESCALATE,
            reason="troubleshooting_failed",
        )
    ctx.state.slots["asked_again"] = False
    decision = _step(ctx, index + 1)
    return Decision(f"{ctx.say('troubleshoot_next')} {decision.text}", step=decision.step)
