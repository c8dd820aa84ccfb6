"""What a handler sees on one turn, and what it answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from contactpro.config import Settings
from contactpro.dialog.localtime import local_today, say_time, zone_of
from contactpro.dialog.templates import Templates, templates_for
from contactpro.markets import market_of
from contactpro.models import Account, Customer, Interaction
from contactpro.nlu.result import Understanding
from contactpro.providers.telephony import Telephony

CONTINUE, ESCALATE, HANGUP = "continue", "escalate", "hangup"


@dataclass(frozen=True)
class Decision:
    """What to say, what the call or thread does next and, for hand-offs, why."""

    text: str
    action: str = CONTINUE
    reason: str = ""
    step: str = ""
    resolved: bool = False
    # The question alone, when ``text`` says more around it ("Disculpa, no entendí bien."):
    # what a reprompt to silence asks again.
    question: str = ""
    # The end of ``text`` a short channel must keep whole: the request taken up last in the
    # same message (its step and the question waiting on it), when an earlier answer precedes.
    keep: str = ""


@dataclass
class DialogState:
    """The conversation's memory, stored as JSON on the interaction (survives restarts)."""

    flow: str | None = None
    awaiting: str | None = None
    pending_intent: str | None = None
    customer_id: int | None = None
    account_id: int | None = None
    verified: bool = False
    verify_attempts: int = 0
    identify_attempts: int = 0
    slots: dict[str, Any] = field(default_factory=dict)
    steps: list[str] = field(default_factory=list)
    clarifications: int = 0
    no_input: int = 0
    caller_turns: int = 0
    resolved: bool = False
    confirmed: bool | None = None
    escalated: bool = False
    outcome_detail: str | None = None
    offer_accepted: bool = False
    csat: int | None = None
    continued_from: int | None = None
    warned: bool = False
    # Requests said along with the one being handled ("y además..."), handled after it.
    queued: list[str] = field(default_factory=list)
    # What the agent taking a hand-over needs beyond the transcript (the charges disputed...).
    handoff: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, data: dict[str, Any] | None) -> DialogState:
        """Read the state stored on an interaction (unknown keys are ignored)."""
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in (data or {}).items() if k in known})

    def dump(self) -> dict[str, Any]:
        """Return the JSON to store on the interaction."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    def start(self, flow: str, awaiting: str | None = None, **slots: Any) -> None:
        """Enter a flow, forgetting the previous flow's slots."""
        self.flow, self.awaiting, self.slots = flow, awaiting, dict(slots)

    def finish(self) -> None:
        """Leave the current flow."""
        self.flow, self.awaiting, self.slots, self.pending_intent = None, None, {}, None


@dataclass
class TurnContext:
    """Everything a handler needs for one turn."""

    session: Session
    settings: Settings
    interaction: Interaction
    state: DialogState
    understood: Understanding
    text: str
    telephony: Telephony
    now: datetime
    asr_confidence: float | None = None  # speech recognition's confidence, for spoken turns

    @property
    def zone(self) -> ZoneInfo:
        """Return the time zone the customer reads times in (their own, else the company's)."""
        return zone_of(self.settings, self.customer)

    @property
    def today(self) -> date:
        """Return today's date on the customer's calendar (due dates count from it)."""
        return local_today(self.zone, self.now)

    def say_time(self, moment: datetime) -> str:
        """Read a stored time on the customer's clock, with its day when not today."""
        return say_time(moment, self.zone, self.language, self.now)

    @property
    def channel(self) -> str:
        """Return voice or sms."""
        return self.interaction.channel

    @property
    def language(self) -> str:
        """Return the conversation's language."""
        return self.interaction.language or self.understood.language

    @property
    def templates(self) -> Templates:
        """Return the reply templates."""
        return templates_for(self.settings)

    @property
    def customer(self) -> Customer | None:
        """Return the identified customer, if any."""
        if self.state.customer_id is None:
            return None
        return self.session.get(Customer, self.state.customer_id)

    @property
    def account(self) -> Account | None:
        """Return the account the conversation is about (the first open one by default)."""
        if self.state.account_id is not None:
            return self.session.get(Account, self.state.account_id)
        customer = self.customer
        if customer is None:
            return None
        with self.session.no_autoflush:  # reading accounts writes nothing pending
            open_accounts = [a for a in customer.accounts if a.status != "cancelled"]
        return open_accounts[0] if open_accounts else None

    @property
    def market(self) -> str | None:
        """Return the market the customer is served in: their account's, else their number's."""
        customer = self.customer
        number = customer.phone if customer is not None else self.interaction.from_number
        return market_of(self.account, number)

    def say(self, key: str, **values: Any) -> str:
        """Render a reply template in the conversation's language and channel, for the
        customer's market."""
        values.setdefault("company", self.settings.company_name)
        values.setdefault("market", self.market)
        if "name" not in values:
            customer = self.customer
            values["name"] = customer.first_name if customer else ""
        return self.templates.render(key, self.language, channel=self.channel, **values)
