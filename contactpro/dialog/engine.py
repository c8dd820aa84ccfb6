"""Decide the bot's next move from what it understood and the customer's data."""

from __future__ import annotations

from dataclasses import dataclass

from contactpro.config import Settings
from contactpro.dialog.billing import balance_reply, primary_account
from contactpro.dialog.replies import render
from contactpro.models import Interaction
from contactpro.nlu import Understanding

CONTINUE, ESCALATE, HANGUP = "continue", "escalate", "hangup"


@dataclass(frozen=True)
class Decision:
    """What to say, what to do next, and (for escalations) why."""

    text: str
    action: str
    reason: str = ""
    step: str = ""
    resolved: bool = False


def decide(settings: Settings, interaction: Interaction, understood: Understanding) -> Decision:
    """Answer from the account, ask once for clarification, or hand over to a person."""
    language = interaction.language or understood.language
    company = settings.company_name
    state = interaction.state or {}
    intent = understood.intent
    if intent == "agent_request":
        return Decision("", ESCALATE, reason="agent_request")
    if intent == "complaint":
        return Decision("", ESCALATE, reason="complaint")
    if intent == "billing_inquiry":
        customer = interaction.customer
        account = primary_account(customer) if customer else None
        if account is None:
            return Decision(render("no_account", language), ESCALATE, reason="unknown_caller")
        text = f"{balance_reply(account, language)} {render('how_can_i_help', language)}"
        return Decision(text, CONTINUE, step="told_balance", resolved=True)
    if intent == "goodbye":
        return Decision(render("goodbye", language, company=company), HANGUP, step="goodbye")
    if intent == "greeting":
        key = "greeting_known" if interaction.customer else "greeting_unknown"
        name = interaction.customer.first_name if interaction.customer else ""
        return Decision(render(key, language, name=name, company=company), CONTINUE)
    if state.get("clarifications", 0) >= 1:
        return Decision("", ESCALATE, reason="not_understood")
    return Decision(render("clarify", language), CONTINUE, step="asked_clarification")
