"""The agents' queue: ranking escalations, claiming, releasing, resolving and follow-ups.

Rank = the bot's priority (reason and segment) + the customer's priority-matrix quadrant + how
far their conformity sits below the threshold + how long they have waited. Everything here is
plain domain code; the console blueprint calls it and commits.
"""

from __future__ import annotations

import functools
import logging
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from contactpro.analytics.matrix import STRATEGIES
from contactpro.analytics.similar import similar_to_escalation
from contactpro.config import Settings, company_timezone
from contactpro.console.customer_files import FETCH_SECONDS, CustomerFile
from contactpro.console.durations import short_duration, sla_level
from contactpro.console.settings import (
    conformity_threshold,
    current_config,
    queue_wait,
    record_audit,
)
from contactpro.console.strings import translate
from contactpro.console.users import has_role
from contactpro.console.wording import summary, unverified_claim, word
from contactpro.conversations.interactions import add_turn
from contactpro.dialog.knowledge import article_title
from contactpro.dialog.localtime import say_clock, zone_of
from contactpro.dialog.replies import format_date
from contactpro.errors import ConfigError, ContactProError, NotFoundError, UnderstandingError
from contactpro.improve import index
from contactpro.improve.llm import writer_for
from contactpro.markets import zone_place
from contactpro.messaging import media, outbound
from contactpro.models import (
    Account,
    Agent,
    AuditLog,
    Callback,
    CancellationRequest,
    Customer,
    CustomerScore,
    Escalation,
    Interaction,
    Recording,
    Turn,
    utcnow,
)
from contactpro.nlu.masking import mask_pii
from contactpro.phone import to_e164
from contactpro.privacy import mask_customer_ids, mask_identifier
from contactpro.privacy.redaction import redact
from contactpro.providers.telephony import Telephony, TelephonyError
from contactpro.speech.fetch import fetch_recording
from contactpro.voice.recordings import allow_list as recording_hosts

log = logging.getLogger(__name__)

QUEUE_STATUSES = ("open", "claimed", "abandoned")
CLAIMABLE = ("open", "abandoned")
RESOLUTIONS = (
    "solved",
    "payment_arranged",
    "offer_accepted",
    "offer_declined",
    "cancelled_service",
    "callback_needed",
    "unresolved",
    "no_contact",
)
# The priority matrix's own order (retain 1 .. let_go 4) becomes 15, 10, 5 and 0 points.
QUADRANT_BONUS = {q: 5.0 * (len(STRATEGIES) - s.priority) for q, s in STRATEGIES.items()}
CONFORMITY_WEIGHT = 0.3
WAIT_POINTS_PER_MINUTE = 0.5
MAX_WAIT_POINTS = 15.0
ABANDONED_SHOWN_HOURS = 24
MAX_SMS_CHARS = 640
# The approved WhatsApp template an agent's message goes in outside the 24-hour window.
AGENT_REPLY = "agent_reply"


class QueueError(ContactProError):
    """An agent action on an escalation is not allowed in its current state."""

    reason = "queue_conflict"


@dataclass(frozen=True)
class QueueEntry:
    """One line of the agents' queue."""

    id: int
    status: str
    rank: int
    priority: int
    reason: str
    channel: str
    language: str | None
    customer: str | None
    phone: str
    segment: str | None
    quadrant: str | None
    conformity: float | None
    waiting_seconds: int
    wait: tuple[int, str]
    sla: str
    created_at: str
    agent: str | None
    agent_id: int | None
    caller_waiting: bool
    unverified: bool = False
    voicemail: str | None = None
    callback_requested: bool = False
    last_customer_at: str | None = None
    new_message: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Return the entry as a JSON-ready mapping."""
        return asdict(self)


def rank(
    priority: int,
    quadrant: str | None,
    conformity: float | None,
    waiting_seconds: float,
    threshold: float,
) -> int:
    """Score an escalation for the queue; higher is served first.

    The score is rounded (half up) to a whole number here, once: the queue, its JSON and the
    escalation page all show this figure.
    """
    score = float(priority) + QUADRANT_BONUS.get(quadrant or "", 0.0)
    if conformity is not None:
        score += (threshold - conformity) * CONFORMITY_WEIGHT
    score += min(waiting_seconds / 60.0 * WAIT_POINTS_PER_MINUTE, MAX_WAIT_POINTS)
    return math.floor(score + 0.5)


def escalation_rank(
    escalation: Escalation,
    score: CustomerScore | None,
    threshold: float,
    now: datetime,
    waited_since: Callable[[datetime, datetime], int],
) -> tuple[int, int]:
    """Return (rank, seconds waited) of one escalation, as the queue computes them; the wait
    counts business hours only (see :func:`~contactpro.console.settings.queue_wait`)."""
    waited = max(0, waited_since(escalation.created_at, now))
    quadrant = score.quadrant if score else None
    conformity = score.conformity if score else None
    return rank(escalation.priority, quadrant, conformity, waited, threshold), waited


def _caller_waiting(escalation: Escalation, interaction: Interaction) -> bool:
    return (
        interaction.channel == "voice"
        and interaction.status == "active"
        and escalation.queue_result is None
        and escalation.status in ("open", "claimed")
        and not (escalation.context or {}).get("voicemail")  # gone to voicemail: not in line
    )


def identity_unverified(escalation: Escalation) -> bool:
    """Return True when the escalation names an account holder the sender did not prove to be:
    the identity was claimed (an id, an account number) from a number not on file and the
    second factor was not passed. Such a packet shows who was claimed, never their accounts."""
    return unverified_claim(escalation.context or {}, escalation.interaction.from_number)


def claimed_identity(customer: dict[str, Any]) -> dict[str, Any]:
    """Return what a packet keeps of an account holder the sender only claimed to be: the
    name the page shows, without the holder's phone, accounts, balances or identifiers."""
    return {key: customer[key] for key in ("id", "name") if key in customer}


def voicemail_of(escalation: Escalation) -> dict[str, Any] | None:
    """Return what the caller left at voicemail, as the voice side noted it on the packet."""
    voicemail = (escalation.context or {}).get("voicemail")
    return dict(voicemail) if isinstance(voicemail, dict) and voicemail else None


def voicemail_kind(voicemail: dict[str, Any] | None) -> str | None:
    """Return ``left`` (a message), ``empty`` (nothing said) or None (no voicemail)."""
    if voicemail is None:
        return None
    return "empty" if voicemail.get("empty") else "left"


def callback_requested(escalation: Escalation) -> bool:
    """Return True while a caller's voicemail asks for a call back that is not yet done."""
    voicemail = voicemail_of(escalation) or {}
    return bool(voicemail.get("callback")) and escalation.status in QUEUE_STATUSES


def _last_messages(session: Session, interaction_ids: list[int]) -> dict[tuple[int, str], datetime]:
    """Return the time of the last caller and agent turn of each conversation."""
    if not interaction_ids:
        return {}
    rows = session.execute(
        select(Turn.interaction_id, Turn.speaker, func.max(Turn.created_at))
        .where(Turn.interaction_id.in_(interaction_ids), Turn.speaker.in_(("caller", "agent")))
        .group_by(Turn.interaction_id, Turn.speaker)
    )
    return {(iid, speaker): _aware(at) for iid, speaker, at in rows if at is not None}


def _aware(moment: datetime) -> datetime:
    # SQLite gives naive times back from an aggregate; they are stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def customer_wrote_again(
    escalation: Escalation, last: dict[tuple[int, str], datetime]
) -> tuple[datetime | None, bool]:
    """Return when the customer last wrote after the hand-off (None: not since) and whether
    that is news: later than the claim and than the agent's last message."""
    wrote = last.get((escalation.interaction_id, "caller"))
    created = _aware(escalation.created_at)
    if wrote is None or wrote <= created:
        return None, False
    seen = [created, last.get((escalation.interaction_id, "agent"))]
    if escalation.claimed_at is not None:
        seen.append(_aware(escalation.claimed_at))
    return wrote, wrote > max(moment for moment in seen if moment is not None)


def queue_entries(
    session: Session, settings: Settings, now: datetime | None = None
) -> list[QueueEntry]:
    """Return open, claimed and recently abandoned escalations, best first."""
    now = now or utcnow()
    threshold = conformity_threshold(session, settings)
    waited_since = queue_wait(session, settings)
    rows = session.execute(
        select(Escalation, Interaction, Customer, CustomerScore, Agent)
        .join(Interaction, Interaction.id == Escalation.interaction_id)
        .outerjoin(Customer, Customer.id == Escalation.customer_id)
        .outerjoin(CustomerScore, CustomerScore.customer_id == Escalation.customer_id)
        .outerjoin(Agent, Agent.id == Escalation.agent_id)
        .where(
            or_(
                Escalation.status.in_(("open", "claimed")),
                (Escalation.status == "abandoned")
                & (Escalation.created_at >= now - timedelta(hours=ABANDONED_SHOWN_HOURS)),
            )
        )
    ).all()
    entries = []
    last = _last_messages(session, [row[1].id for row in rows])
    for esc, interaction, customer, claimed_score, agent in rows:
        unverified = identity_unverified(esc)
        # The claimed holder's score says nothing about an unverified sender.
        score = None if unverified else claimed_score
        ranked, waited = escalation_rank(esc, score, threshold, now, waited_since)
        wrote_at, news = customer_wrote_again(esc, last)
        quadrant = score.quadrant if score else None
        conformity = score.conformity if score else None
        entries.append(
            QueueEntry(
                id=esc.id,
                status=esc.status,
                rank=ranked,
                priority=esc.priority,
                reason=esc.reason,
                channel=interaction.channel,
                language=interaction.language,
                customer=customer.name if customer else None,
                phone=interaction.from_number,
                segment=customer.segment if customer and not unverified else None,
                quadrant=quadrant,
                conformity=round(conformity, 1) if conformity is not None else None,
                waiting_seconds=waited,
                wait=short_duration(waited),
                sla=sla_level(waited, settings.console_sla_seconds)
                if esc.status != "abandoned"
                else "none",
                created_at=esc.created_at.isoformat(),
                agent=agent.name if agent else None,
                agent_id=esc.agent_id,
                caller_waiting=_caller_waiting(esc, interaction),
                unverified=unverified,
                voicemail=voicemail_kind(voicemail_of(esc)),
                callback_requested=callback_requested(esc),
                last_customer_at=wrote_at.isoformat() if wrote_at else None,
                new_message=news,
            )
        )
    # Open work first, then claimed, then abandoned; best rank, then longest wait, within each.
    order = {status: i for i, status in enumerate(QUEUE_STATUSES)}
    entries.sort(key=lambda e: (order[e.status], -e.rank, -e.waiting_seconds, e.id))
    return entries


QUEUE_CSV_COLUMNS = (
    "escalation_id",
    "rank",
    "status",
    "customer",
    "phone",
    "segment",
    "reason",
    "channel",
    "language",
    "quadrant",
    "conformity",
    "waiting_minutes",
    "sla",
    "agent",
    "created_at",
    "reason_code",
)


def csv_rows(
    entries: list[QueueEntry], zone: str, words: Callable[[str], str] | None = None
) -> list[list[Any]]:
    """Return queue entries as CSV rows (:data:`QUEUE_CSV_COLUMNS`), in queue order, times in
    ``zone`` with their offset (as every console download gives them).

    The reason is in ``words``' language as the queue page shows it (its code stays in the
    last column, ``reason_code``, for whoever reads the file by program).
    """
    tz = ZoneInfo(zone)
    return [
        [
            e.id,
            e.rank,
            e.status,
            e.customer or "",
            e.phone,
            e.segment or "",
            word(words, "reason_", e.reason) if words else e.reason,
            e.channel,
            e.language or "",
            e.quadrant or "",
            "" if e.conformity is None else f"{e.conformity:.1f}",
            e.waiting_seconds // 60,
            e.sla,
            e.agent or "",
            _aware(datetime.fromisoformat(e.created_at))
            .astimezone(tz)
            .isoformat(timespec="seconds"),
            e.reason,
        ]
        for e in entries
    ]


def get_escalation(session: Session, escalation_id: int) -> Escalation:
    """Return the escalation or raise NotFoundError."""
    escalation = session.get(Escalation, escalation_id)
    if escalation is None:
        raise NotFoundError(f"no escalation {escalation_id}")
    return escalation


def claim(session: Session, escalation_id: int, agent: Agent) -> Escalation:
    """Take an open (or abandoned) escalation; only one agent can win a race for it."""
    escalation = get_escalation(session, escalation_id)
    if escalation.status == "claimed" and escalation.agent_id == agent.id:
        return escalation
    before = {"status": escalation.status, "agent": _holder_name(escalation)}
    result = session.execute(
        update(Escalation)
        .where(Escalation.id == escalation_id, Escalation.status.in_(CLAIMABLE))
        .values(status="claimed", agent_id=agent.id, claimed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise QueueError("someone else has already claimed this escalation", reason="taken")
    session.refresh(escalation)
    record_audit(
        session,
        agent.id,
        "escalation.claim",
        f"escalation:{escalation_id}",
        before=before,
        after={"status": "claimed", "agent": agent.name},
    )
    return escalation


def _holder_name(escalation: Escalation) -> str | None:
    return escalation.agent.name if escalation.agent is not None else None


def _require_unresolved(escalation: Escalation) -> None:
    """Refuse to act on a resolved escalation, saying so (not "claim it first")."""
    if escalation.status == "resolved":
        raise QueueError("the escalation is already resolved", reason="already_resolved")


def _require_holder(escalation: Escalation, agent: Agent) -> None:
    _require_unresolved(escalation)
    if escalation.status != "claimed":
        raise QueueError("claim the escalation first", reason="not_claimed")
    if escalation.agent_id != agent.id and not has_role(agent, "manager"):
        raise QueueError("another agent holds this escalation", reason="not_holder")


def release(session: Session, escalation_id: int, agent: Agent) -> Escalation:
    """Put a claimed escalation back in the queue (its holder, or a manager)."""
    escalation = get_escalation(session, escalation_id)
    _require_holder(escalation, agent)
    before = {"status": escalation.status, "agent": _holder_name(escalation)}
    escalation.status, escalation.agent_id, escalation.claimed_at = "open", None, None
    record_audit(
        session,
        agent.id,
        "escalation.release",
        f"escalation:{escalation_id}",
        before=before,
        after={"status": "open", "agent": None},
    )
    return escalation


def resolve(
    session: Session, escalation_id: int, agent: Agent, resolution: str, notes: str
) -> Escalation:
    """Close the escalation with the agent's outcome and notes (analytics reads them); a card
    number or security code an agent typed into the notes is never stored."""
    escalation = get_escalation(session, escalation_id)
    _require_unresolved(escalation)  # whatever outcome was chosen the second time
    if resolution not in RESOLUTIONS:
        raise QueueError(
            f"resolution must be one of {', '.join(RESOLUTIONS)}", reason="bad_outcome"
        )
    _require_holder(escalation, agent)
    escalation.status = "resolved"
    escalation.resolution = resolution
    escalation.notes = redact(notes.strip()) or None
    escalation.resolved_at = utcnow()
    record_audit(
        session,
        agent.id,
        "escalation.resolve",
        f"escalation:{escalation_id}",
        after={"resolution": resolution, "notes": escalation.notes},
    )
    return escalation


ERASED_RESOLUTION = "data_erased"


def close_erased(session: Session, customer_id: int, agent_id: int | None) -> list[int]:
    """Close the open work of a customer whose data was just erased; return the ids closed.

    Nothing is left to work on (no words, no number to call back), so each open, claimed or
    abandoned escalation is resolved as ``data_erased``, audited, and leaves the queue.
    """
    open_ones = session.scalars(
        select(Escalation).where(
            Escalation.customer_id == customer_id, Escalation.status.in_(QUEUE_STATUSES)
        )
    ).all()
    for escalation in open_ones:
        before = escalation.status
        escalation.status, escalation.resolution = "resolved", ERASED_RESOLUTION
        escalation.resolved_at = utcnow()
        record_audit(
            session,
            agent_id,
            "escalation.close_erased",
            f"escalation:{escalation.id}",
            before={"status": before},
            after={"status": "resolved", "resolution": ERASED_RESOLUTION},
        )
    return [escalation.id for escalation in open_ones]


def contact_number(escalation: Escalation) -> str:
    """Return the number to reach the customer on: the one that wrote or called, so an answer
    never goes to an account holder the sender only claimed to be; the account's phone only
    when that number is withheld and the holder passed verification."""
    wrote = escalation.interaction.from_number
    if to_e164(wrote) is not None or identity_unverified(escalation):
        return wrote
    customer = (escalation.context or {}).get("customer") or {}
    return customer.get("phone") or wrote


def send_sms(
    session: Session,
    settings: Settings,
    telephony: Telephony,
    escalation_id: int,
    agent: Agent,
    body: str,
) -> Turn:
    """Text the customer and add the message to the conversation as an agent turn.

    A WhatsApp customer is answered on WhatsApp: free text within the 24-hour window, else the
    approved ``agent_reply`` template with the text as its variable ``1``; with none
    configured the message is refused (``outside_whatsapp_window``), since WhatsApp would
    drop it and the customer would never read it."""
    body = body.strip()
    if not body or len(body) > MAX_SMS_CHARS:
        raise QueueError(f"the message needs 1 to {MAX_SMS_CHARS} characters", reason="bad_sms")
    escalation = get_escalation(session, escalation_id)
    _require_holder(escalation, agent)
    interaction = escalation.interaction
    # The one writer of turns numbers it: the customer's next message takes the one after.
    turn = add_turn(
        session,
        interaction,
        speaker="agent",
        text=body,
        source="sms",
        action="agent_sms",
        created_at=utcnow(),
    )
    if interaction.channel == "whatsapp":  # answer where the customer wrote
        turn.twilio_key = _send_whatsapp(session, settings, telephony, interaction, turn, body)
    else:
        turn.twilio_key = telephony.send_sms(contact_number(escalation), body)
    sid = turn.twilio_key
    record_audit(
        session, agent.id, "escalation.sms", f"escalation:{escalation_id}", after={"sid": sid}
    )
    return turn


def _send_whatsapp(
    session: Session,
    settings: Settings,
    telephony: Telephony,
    interaction: Interaction,
    turn: Turn,
    body: str,
) -> str:
    """Send an agent's message on WhatsApp within the window or as the ``agent_reply``
    template; return its sid. Raise QueueError when WhatsApp allows neither, TelephonyError
    when Twilio refuses it."""
    sent = outbound.send(
        session,
        settings,
        telephony,
        interaction,
        body,
        purpose=AGENT_REPLY,
        variables={"1": body},
        report_to=outbound.status_url(settings, turn.id),
    )
    if sent.status == "skipped":
        raise QueueError(
            "the customer last wrote on WhatsApp more than 24 hours ago: WhatsApp only "
            f"delivers an approved template (configure {AGENT_REPLY}:HX... in "
            "CONTACTPRO_WHATSAPP_CONTENT_SIDS); call the customer instead",
            reason=outbound.OUTSIDE_WINDOW,
        )
    if sent.status != "sent" or not sent.message_sid:
        raise TelephonyError(f"the WhatsApp message was not sent: {sent.reason}")
    return sent.message_sid


def callback_message(
    session: Session, settings: Settings, escalation_id: int, when: datetime
) -> str:
    """Return the call-back text, with the time on the customer's clock (``1 de marzo a las
    10:00``): an agent's browser may sit in another time zone than the customer."""
    escalation = get_escalation(session, escalation_id)
    interaction = escalation.interaction
    language = interaction.language or settings.default_language
    # Where the customer lives: their own zone, else their number's or their account's.
    zone = zone_of(settings, interaction.customer, contact_number(escalation))
    local = when.astimezone(zone)
    day, clock = format_date(local.date(), language), say_clock(local, language)
    # The zone is said: a customer must not read the time as the company's, nor wonder.
    if language == "es":
        said = f"{day} a las {clock}, hora de {zone_place(zone.key, language)}"
    else:
        said = f"{day} at {clock} your time"
    template = str(current_config(session, settings)[f"callback_template_{language}"])
    return template.replace("{when}", said)


def schedule_callback(
    session: Session, escalation_id: int, agent: Agent, when: datetime, note: str
) -> Callback:
    """Promise the customer a call at ``when`` (timezone-aware, in the future); a card number
    or security code an agent typed into the note is never stored."""
    if when.tzinfo is None:
        raise QueueError("the call-back time needs a time zone", reason="bad_time")
    if when <= utcnow():
        raise QueueError("the call-back time must be in the future", reason="bad_time")
    escalation = get_escalation(session, escalation_id)
    _require_holder(escalation, agent)
    callback = Callback(
        escalation_id=escalation_id,
        agent_id=agent.id,
        phone=contact_number(escalation),
        scheduled_for=when,
        status="scheduled",
        note=redact(note.strip()) or None,
        created_at=utcnow(),
    )
    session.add(callback)
    session.flush()
    record_audit(
        session,
        agent.id,
        "escalation.callback",
        f"escalation:{escalation_id}",
        after={"callback_id": callback.id, "scheduled_for": when.isoformat()},
    )
    return callback


def take_call(session: Session, telephony: Telephony, escalation_id: int, agent: Agent) -> str:
    """Put the waiting caller through to the agent's phone; record the queue result."""
    escalation = get_escalation(session, escalation_id)
    _require_holder(escalation, agent)
    if not _caller_waiting(escalation, escalation.interaction):
        raise QueueError("no caller is waiting in the queue for this escalation", reason="no_call")
    if not agent.phone:
        raise QueueError("your user has no phone number", reason="no_agent_phone")
    sid = telephony.bridge_queued_call(escalation.interaction.twilio_sid, agent.phone)
    escalation.queue_result = "redirected"
    escalation.queue_seconds = int((utcnow() - escalation.created_at).total_seconds())
    record_audit(
        session,
        agent.id,
        "escalation.take_call",
        f"escalation:{escalation_id}",
        after={"call_sid": sid},
    )
    return sid


def similar_cases(
    session: Session,
    settings: Settings,
    escalation: Escalation,
    language: str = "en",
    limit: int = 5,
) -> dict[str, Any]:
    """Return past cases like this one, how they ended and the pattern explanation.

    The similar-case index comes first (same request first, explained by the configured LLM or
    by rules); when it finds nothing (index not built or its encoder unavailable, no caller
    text, no earlier case), finished escalations of the same customer or reason stand in.
    """
    try:
        encoder = index.encoder_for(settings.improve_case_encoder)
        found = similar_to_escalation(
            session,
            escalation.id,
            encoder,
            writer_for(settings),
            limit,
            language,
            settings.similar_min_similarity,
            company_timezone(settings),
        )
    except (ConfigError, UnderstandingError) as exc:
        log.warning("similar cases from escalations alone: %s", exc.message)
        found = None
    if found is not None and found.cases:
        return {
            "kind": "text",
            "summary": found.summary(),
            "outcomes": found.outcomes,
            "cases": [replace(case, text=masked(case.text)) for case in found.cases],
        }

    cases = _same_reason(session, escalation, limit)
    return {"kind": "reason", "summary": None, "outcomes": {}, "cases": cases}


# What the masks of other customers' words show in the console (no English placeholder).
_MASKS = {"[NUMBER]": "••••", "[EMAIL]": "•••@•••", "[ID]": "••••"}


def masked(text: str) -> str:
    """Return another customer's words with ids, numbers and e-mails hidden."""
    text = mask_pii(text)
    for token, shown in _MASKS.items():
        text = text.replace(token, shown)
    return text


def _same_reason(session: Session, escalation: Escalation, limit: int) -> list[dict[str, Any]]:
    # A sender who only claimed to be the holder is not the holder: their cases and notes are
    # not this sender's (nor shown as "same customer"), like their accounts and score.
    mine = None if identity_unverified(escalation) else escalation.customer_id
    alike = Escalation.reason == escalation.reason
    if mine is not None:
        alike = or_(alike, Escalation.customer_id == mine)
    rows = session.execute(
        select(Escalation, Customer.name)
        .outerjoin(Customer, Customer.id == Escalation.customer_id)
        .where(
            Escalation.id != escalation.id,
            Escalation.status.in_(("resolved", "abandoned")),
            alike,
        )
        .order_by(Escalation.created_at.desc())
        .limit(50)
    ).all()
    ordered = sorted(rows, key=lambda r: not (mine is not None and r[0].customer_id == mine))
    return [
        {
            "id": esc.id,
            "when": esc.created_at,
            "customer": name,
            "reason": esc.reason,
            "status": esc.status,
            "resolution": esc.resolution,
            "notes": esc.notes if same else masked(esc.notes or "") or None,
            "same_customer": same,
        }
        for esc, name in ordered[:limit]
        for same in [mine is not None and esc.customer_id == mine]
    ]


EARLIER_CONTACTS = 10


def earlier_contacts(
    session: Session, escalation: Escalation, limit: int = EARLIER_CONTACTS
) -> list[dict[str, Any]]:
    """Return the customer's contacts before this one (their number's, when unidentified or
    when the sender only claimed to be the customer)."""
    interaction = escalation.interaction
    same = (
        Interaction.customer_id == escalation.customer_id
        if escalation.customer_id is not None and not identity_unverified(escalation)
        else Interaction.from_number == interaction.from_number
    )
    rows = session.execute(
        select(Interaction, Escalation.reason, Escalation.resolution)
        .outerjoin(Escalation, Escalation.interaction_id == Interaction.id)
        .where(
            same, Interaction.id != interaction.id, Interaction.started_at <= interaction.started_at
        )
        .order_by(Interaction.started_at.desc(), Interaction.id.desc())
        .limit(limit)
    ).all()
    intents = _first_intents(session, [row[0].id for row in rows])
    return [
        {
            "id": earlier.id,
            "started_at": earlier.started_at,
            "channel": earlier.channel,
            "outcome": earlier.outcome,
            "status": earlier.status,
            "intent": intents.get(earlier.id),
            "reason": reason,
            "resolution": resolution,
        }
        for earlier, reason, resolution in rows
    ]


def _first_intents(session: Session, interaction_ids: list[int]) -> dict[int, str]:
    """Return each interaction's first recognised caller intent."""
    if not interaction_ids:
        return {}
    found: dict[int, str] = {}
    for interaction_id, intent in session.execute(
        select(Turn.interaction_id, Turn.intent)
        .where(Turn.interaction_id.in_(interaction_ids), Turn.intent.is_not(None))
        .order_by(Turn.interaction_id, Turn.sequence)
    ):
        if intent:
            found.setdefault(interaction_id, intent)
    return found


def _transcript_now(
    escalation: Escalation, context: dict[str, Any], turns: Sequence[Turn]
) -> list[dict[str, Any]]:
    """Return the packet's transcript followed by the caller turns (of ``turns``, the
    conversation's) stored after it."""
    frozen = list(context.get("transcript") or [])
    last = max(
        (
            int(t.get("sequence") or 0)
            for t in frozen
            if t.get("interaction_id") == escalation.interaction_id
        ),
        default=0,
    )
    return frozen + [
        {
            "interaction_id": t.interaction_id,
            "sequence": t.sequence,
            "speaker": t.speaker,
            "intent": t.intent,
        }
        for t in turns
        if t.speaker == "caller" and t.sequence > last
    ]


def packet(
    session: Session, settings: Settings, escalation_id: int, language: str = "en"
) -> dict[str, Any]:
    """Return everything the escalation view shows: the packet, scores, advice and history."""
    escalation = get_escalation(session, escalation_id)
    unverified = identity_unverified(escalation)
    context = dict(escalation.context or {})
    score = None
    if unverified:  # who they claimed to be, never that holder's accounts, phone or score
        context["customer"] = claimed_identity(context["customer"])
    elif escalation.customer_id:
        score = session.get(CustomerScore, escalation.customer_id)
    turns = session.scalars(
        select(Turn).where(Turn.interaction_id == escalation.interaction_id).order_by(Turn.sequence)
    ).all()
    # The files as they are now, not as the packet froze them: a receipt sent after the
    # hand-off, a voice note transcribed since (an erased customer's links are gone).
    if escalation.context:  # an erased packet stays empty: its summary says it was erased
        context["media"] = [
            m for m in media.of_interaction(session, escalation.interaction_id) if m["url"]
        ]
        # Stored once in English; the reader gets them in the console's language, as the page.
        words = _in(language)
        # What the customer asked since, too: the voice note sent with a photo is transcribed
        # after the photo handed over ("Asked about: nothing recognisable" otherwise).
        asked = {**context, "transcript": _transcript_now(escalation, context, turns)}
        context["summary"] = summary(
            asked, words, language, functools.partial(article_title, settings, language=language)
        )
        context["reason_text"] = word(words, "reason_", str(context.get("reason") or ""))
    threshold = conformity_threshold(session, settings)
    ranked, waited = escalation_rank(
        escalation, score, threshold, utcnow(), queue_wait(session, settings)
    )
    interaction = escalation.interaction
    return {
        "escalation": escalation,
        "interaction": interaction,
        "context": context,
        "turns": turns,
        "score": score,
        "threshold": threshold,
        "rank": ranked,
        "waiting_seconds": waited,
        "strategy": STRATEGIES.get(score.quadrant) if score else None,
        "similar": similar_cases(session, settings, escalation, language),
        "callbacks": session.scalars(
            select(Callback)
            .where(Callback.escalation_id == escalation.id)
            .order_by(Callback.scheduled_for)
        ).all(),
        "caller_waiting": _caller_waiting(escalation, interaction),
        "earlier": earlier_contacts(session, escalation),
        "unverified": unverified,
        "voicemail": voicemail_shown(session, escalation),
        "callback_requested": callback_requested(escalation),
        "cancellation_pending": pending_cancellation(session, escalation),
        "customer_wrote": customer_wrote_again(
            escalation, _last_messages(session, [escalation.interaction_id])
        ),
    }


def _in(language: str) -> Callable[[str], str]:
    """Return the console catalogue's words in ``language``."""
    return lambda key: translate(key, language)


def voicemail_shown(session: Session, escalation: Escalation) -> dict[str, Any] | None:
    """Return the voicemail for the page: kind, transcript or why there is none, and the
    stored recording (None when the caller left no voicemail)."""
    voicemail = voicemail_of(escalation)
    if voicemail is None:
        return None
    recording = session.scalars(
        select(Recording)
        .where(Recording.interaction_id == escalation.interaction_id, Recording.kind == "voicemail")
        .order_by(Recording.id.desc())
    ).first()
    status = voicemail.get("transcription_status") or (
        recording.transcription_status if recording is not None else None
    )
    return {
        "kind": voicemail_kind(voicemail),
        "callback": bool(voicemail.get("callback")),
        "transcript": voicemail.get("transcript")
        or (recording.transcript if recording is not None else None),
        "transcription_status": status,
        "failure_reason": voicemail.get("failure_reason")
        or (recording.failure_reason if recording is not None else None),
        "recording_id": recording.id if recording is not None and recording.url else None,
        "duration_seconds": recording.duration_seconds if recording is not None else None,
    }


def voicemail_recording(session: Session, escalation_id: int, recording_id: int) -> Recording:
    """Return the voicemail recording of an escalation (NotFoundError for any other one)."""
    escalation = get_escalation(session, escalation_id)
    recording = session.get(Recording, recording_id)
    if (
        recording is None
        or recording.kind != "voicemail"
        or recording.interaction_id != escalation.interaction_id
        or not recording.url
    ):
        raise NotFoundError(f"no voicemail {recording_id} for escalation {escalation_id}")
    return recording


def fetch_voicemail(settings: Settings, recording: Recording) -> CustomerFile:
    """Download a voicemail's audio from Twilio for an agent's browser (played in the page).

    Raises AudioFetchError (with its ``reason``) when Twilio's copy cannot be fetched.
    """
    fetched = fetch_recording(
        str(recording.url),
        settings=settings,
        allow_list=recording_hosts(settings),
        backoff_seconds=0.2,
        time_limit=FETCH_SECONDS,
    )
    content_type = (fetched.content_type or "audio/wav").split(";", 1)[0].strip().lower()
    if not content_type.startswith("audio/"):
        content_type = "application/octet-stream"
    extension = "mp3" if content_type == "audio/mpeg" else "wav"
    return CustomerFile(
        data=fetched.data,
        content_type=content_type,
        filename=f"voicemail-{recording.id}.{extension}",
        inline=content_type.startswith("audio/"),
    )


def pending_cancellation(session: Session, escalation: Escalation) -> dict[str, Any] | None:
    """Return the cancellation the bot registered in this conversation and the team has not
    processed yet (the service stays active until then), else None."""
    request = session.scalars(
        select(CancellationRequest)
        .where(
            CancellationRequest.interaction_id == escalation.interaction_id,
            CancellationRequest.outcome == "cancelled",
            CancellationRequest.processed_at.is_(None),
        )
        .order_by(CancellationRequest.id.desc())
    ).first()
    if request is None:
        return None
    account = session.get(Account, request.account_id)
    return {
        "id": request.id,
        "account": account.number if account is not None else "",
        "created_at": request.created_at,
    }


def notify_on_duty(
    session: Session, settings: Settings, telephony: Telephony, escalation_id: int
) -> bool:
    """Text the on-duty agent about a top-priority escalation, once; return True if sent."""
    config = current_config(session, settings)
    escalation = session.get(Escalation, escalation_id)
    if escalation is None or escalation.priority < int(config["notify_priority"]):
        return False
    email = config["on_duty_agent"]
    agent = session.scalars(select(Agent).where(Agent.email == email)).first() if email else None
    if agent is None or not agent.active or not agent.phone:
        return False
    target = f"escalation:{escalation_id}"
    already = session.scalars(
        select(AuditLog.id).where(AuditLog.target == target, AuditLog.action == "notify.sms")
    ).first()
    if already is not None:
        return False
    body = on_duty_message(escalation, agent, settings)
    try:
        sid = telephony.send_sms(agent.phone, body)
    except TelephonyError as exc:
        log.warning("on-duty notification failed", extra={"reason": exc.reason})
        return False
    record_audit(session, agent.id, "notify.sms", target, after={"sid": sid})
    return True


def on_duty_message(escalation: Escalation, agent: Agent, settings: Settings) -> str:
    """Return the on-duty text in the agent's first language, the reason in words."""
    languages = [code.strip() for code in (agent.languages or "").split(",") if code.strip()]
    language = next((code for code in languages if code in ("es", "en")), "es")

    def say(key: str) -> str:
        return translate(key, language)

    name = ((escalation.context or {}).get("customer") or {}).get("name")
    if name and identity_unverified(escalation):  # who they claimed to be, never as the holder
        name = say("summary_claimed").format(name=name)
    return say("notify_sms").format(
        company=settings.company_name,
        id=escalation.id,
        priority=escalation.priority,
        reason=word(say, "reason_", escalation.reason),
        customer=name or say("unknown_customer"),
    )


@dataclass(frozen=True)
class TurnShown:
    """A turn of the conversation as a page shows it (the stored row is never changed)."""

    sequence: int
    speaker: str
    text: str | None
    intent: str | None
    confidence: float | None
    tier: str | None
    reply: str | None
    source: str | None = None


def _identifiers(context: dict[str, Any], escalation: Escalation) -> list[str]:
    """Return the customer's account numbers and national id, longest first."""
    customer = context.get("customer") or {}
    found = {str(a.get("number") or "") for a in customer.get("accounts") or []}
    found.add(str(customer.get("national_id") or ""))
    known = escalation.interaction.customer
    if known is not None:
        found |= {account.number for account in known.accounts}
        found.add(known.national_id or "")
    return sorted((i for i in found if len(i) > 4), key=len, reverse=True)


def hide_identifiers(text: str | None, identifiers: list[str]) -> str | None:
    """Return ``text`` with each of ``identifiers`` masked (``cuenta ******0186``)."""
    if not text:
        return text
    for ident in identifiers:
        pattern = rf"(?<![0-9A-Za-z]){re.escape(ident)}(?![0-9A-Za-z])"
        text = re.sub(pattern, mask_identifier(ident), text)
    return text


def masked_packet(data: dict[str, Any]) -> dict[str, Any]:
    """Return a packet for an agent: account numbers and national ids masked on the
    customer card, in the stored transcript and summary, and in the conversation's turns."""
    escalation: Escalation = data["escalation"]
    context = data["context"]
    ids = _identifiers(escalation.context or {}, escalation)  # the stored, whole packet
    shown = dict(mask_customer_ids(context))
    shown["transcript"] = [
        {**turn, "text": hide_identifiers(turn.get("text"), ids)}
        | {"reply": hide_identifiers(turn.get("reply"), ids)}
        for turn in context.get("transcript") or []
        if isinstance(turn, dict)
    ]
    if isinstance(context.get("summary"), str):
        shown["summary"] = hide_identifiers(context["summary"], ids)
    turns = [
        TurnShown(
            t.sequence,
            t.speaker,
            hide_identifiers(t.text, ids),
            t.intent,
            t.confidence,
            t.tier,
            hide_identifiers(t.reply, ids),
            t.source,
        )
        for t in data["turns"]
    ]
    cancellation = data.get("cancellation_pending")
    if cancellation:
        cancellation = {**cancellation, "account": mask_identifier(cancellation["account"])}
    return {**data, "context": shown, "turns": turns, "cancellation_pending": cancellation}
