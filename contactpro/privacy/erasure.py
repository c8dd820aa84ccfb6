"""The right to be forgotten: a customer's personal data removed from every table and file.

:func:`erase` blanks what was said in the customer's conversations (as retention does), forgets
their recordings (deleted at Twilio), transcripts and media links, anonymises the customer and
account rows, and removes the lines naming them from the journal, the logs and the retention
archives. Rows are kept with their amounts, intents, outcomes and times, so every figure and
report stays the same. One audit row records who erased which customer and what was removed,
without any personal data.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from contactpro.config import Settings
from contactpro.console.settings import record_audit
from contactpro.models import (
    Account,
    AuditLog,
    Callback,
    Customer,
    Escalation,
    MessageMedia,
    Recording,
    SurveyResponse,
)
from contactpro.privacy import files
from contactpro.privacy.retention import blank_conversations, delete_audio
from contactpro.privacy.subjects import interaction_ids
from contactpro.providers.telephony import Telephony
from contactpro.resilience.filelock import folder_lock

log = logging.getLogger(__name__)

ERASED_NAME = "—"


@dataclass
class ErasureReport:
    """What an erasure removed: rows touched by table, and file lines removed."""

    customer_id: int
    conversations: int = 0
    recordings: int = 0
    recordings_not_deleted: int = 0
    accounts: int = 0
    file_lines: int = 0


def erase(
    session: Session,
    settings: Settings,
    telephony: Telephony,
    customer: Customer,
    *,
    agent_id: int | None = None,
) -> ErasureReport:
    """Remove or anonymise everything about ``customer``; write the audit row; return counts.

    Recordings Twilio could not delete keep their link (counted in ``recordings_not_deleted``)
    so that the erasure can be run again for them.
    """
    report = ErasureReport(customer_id=customer.id)
    ids = interaction_ids(session, customer)
    needles = _needles(session, customer, ids)
    report.conversations = len(ids)
    blank_conversations(session, ids)
    escalations = select(Escalation.id).where(
        or_(Escalation.interaction_id.in_(ids), Escalation.customer_id == customer.id)
    )
    session.execute(
        update(Escalation).where(Escalation.id.in_(escalations)).values(context={}, notes=None)
    )
    session.execute(
        update(Callback)
        .where(or_(Callback.escalation_id.in_(escalations), Callback.phone == customer.phone))
        .values(phone="", note=None)
    )
    session.execute(
        update(SurveyResponse)
        .where(
            or_(SurveyResponse.customer_id == customer.id, SurveyResponse.phone == customer.phone)
        )
        .values(phone="")
    )
    session.execute(
        update(MessageMedia)
        .where(MessageMedia.interaction_id.in_(ids))
        .values(url="", transcript=None)
    )
    for recording in session.scalars(select(Recording).where(Recording.interaction_id.in_(ids))):
        recording.transcript, recording.segments = None, None
        if recording.url is None:
            continue
        if delete_audio(telephony, recording):
            recording.url = None
            report.recordings += 1
        else:
            report.recordings_not_deleted += 1
    for account in session.scalars(select(Account).where(Account.customer_id == customer.id)):
        account.number = f"X{account.id}"
        report.accounts += 1
    customer.name, customer.email, customer.city = ERASED_NAME, None, None
    customer.national_id, customer.national_id_type, customer.birth_year = None, None, None
    customer.phone = f"erased-{customer.id}"
    report.file_lines = scrub_files(settings, needles)
    record_audit(
        session, agent_id, "customer.erase", f"customer:{customer.id}", after=asdict(report)
    )
    log.info("customer erased", extra=asdict(report))
    return report


def _needles(session: Session, customer: Customer, ids: list[int]) -> list[str]:
    """The strings that mark a line of a file as the customer's: their numbers, and the
    conversation ids of archive rows (written as ``"interaction_id": N,``)."""
    numbers = session.scalars(select(Account.number).where(Account.customer_id == customer.id))
    needles = [customer.phone, customer.phone.lstrip("+"), *numbers]
    if customer.national_id:
        needles.append(customer.national_id)
    if customer.email:
        needles.append(customer.email)
    return [n for n in needles if len(n) >= 6] + [f'"interaction_id": {i},' for i in ids]


def scrub_files(settings: Settings, needles: list[str]) -> int:
    """Remove the lines holding any needle from the archives, logs and journal; return how many.

    Archive rows name the customer by number; the journal is rewritten under its lock so no
    request appended meanwhile is lost.
    """
    removed = 0
    for path in files.personal_files(settings):
        if path.parent.name == files.JOURNAL:
            with folder_lock(path.parent, "journal.lock"):
                removed += files.scrub(path, needles)
        else:
            removed += files.scrub(path, needles)
    return removed


def recent_erasures(session: Session, limit: int = 20) -> list[AuditLog]:
    """Return the latest erasures' audit rows, newest first."""
    return list(
        session.scalars(
            select(AuditLog)
            .where(AuditLog.action == "customer.erase")
            .order_by(AuditLog.id.desc())
            .limit(limit)
        )
    )
