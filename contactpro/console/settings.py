"""Settings managers change at run time (thresholds, hours, offers, templates) and the audit log.

Values live in ``config_entries``; a key never set there takes its default (for thresholds
that also exist as environment settings, the environment's value). Every change and every
agent action on an escalation writes an :class:`~contactpro.models.AuditLog` row.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.config import Settings, company_timezone
from contactpro.console.wording import parse_number
from contactpro.errors import ContactProError
from contactpro.models import Agent, AuditLog, ConfigEntry, utcnow
from contactpro.voice.hours import DAYS, OpenHours, open_seconds, parse_business_hours

log = logging.getLogger(__name__)
# A clock time; 24:00 closes at midnight (open until the end of the day).
_TIME = re.compile(r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$")
WEEKDAYS = DAYS
MAX_TEMPLATE_CHARS = 480


class ConfigChangeError(ContactProError):
    """A submitted configuration value is invalid; ``key`` names the field.

    ``code`` names the rule it broke (the console words it as ``cfg_error_<code>``) and
    ``value`` is the rule's limit, if it has one.
    """

    reason = "bad_config_value"

    def __init__(
        self, key: str, message: str, code: str, value: object = "", allowed: str = ""
    ) -> None:
        super().__init__(message)
        self.key = key
        self.code = code
        self.value = value
        self.allowed = allowed


@dataclass(frozen=True)
class ConfigField:
    """One editable setting: its group on the page, its type and its default."""

    key: str
    group: str
    kind: str  # int, float, time, days, text
    default: Callable[[Settings], Any]
    minimum: float | None = None
    maximum: float | None = None


def _top_tier_discount(settings: Settings) -> int | float:
    """The largest discount the debt tiers allow: what the bot offers until a manager caps it
    (kept whole, never truncated: a 2.5 % tier must not become a 2 % cap)."""
    try:
        top = max(float(t.split(":")[1]) for t in settings.debt_discount_tiers.split(","))
    except (ValueError, IndexError):
        return 0  # the debt policy itself reports the bad setting
    return int(top) if top.is_integer() else top


def _env_hours(settings: Settings) -> OpenHours | None:
    """The hours CONTACTPRO_VOICE_BUSINESS_HOURS sets until a manager edits them (None: always)."""
    rules = parse_business_hours(settings.voice_business_hours)
    return rules[0] if rules else None


def _default_start(settings: Settings) -> str:
    rule = _env_hours(settings)
    return rule.start.strftime("%H:%M") if rule else "00:00"


def _default_end(settings: Settings) -> str:
    rule = _env_hours(settings)
    if rule is None or rule.end == time.max:
        return "24:00"
    return rule.end.strftime("%H:%M")


def _default_days(settings: Settings) -> str:
    rule = _env_hours(settings)
    return ",".join(d for i, d in enumerate(WEEKDAYS) if rule is None or i in rule.days)


FIELDS: tuple[ConfigField, ...] = (
    ConfigField(
        "conformity_threshold", "thresholds", "float", lambda s: s.conformity_threshold, 0, 100
    ),
    ConfigField("notify_priority", "thresholds", "int", lambda s: 90, 0, 101),
    # The article score the bot answers from (CONTACTPRO_KNOWLEDGE_MIN_SCORE until changed).
    ConfigField(
        "knowledge_min_score", "thresholds", "float", lambda s: s.knowledge_min_score, 0, 1
    ),
    ConfigField("business_hours_start", "hours", "time", _default_start),
    ConfigField("business_hours_end", "hours", "time", _default_end),
    ConfigField("business_days", "hours", "days", _default_days),
    # A percentage like the debt tiers it caps: 2.5 is a discount the bot can offer.
    ConfigField("offer_max_discount_percent", "offers", "float", _top_tier_discount, 0, 100),
    ConfigField("offer_min_tenure_months", "offers", "int", lambda s: 6, 0, 600),
    ConfigField(
        "sms_template_es",
        "templates",
        "text",
        lambda s: f"Hola {{name}}, te escribe {s.company_name}.",
    ),
    ConfigField(
        "sms_template_en",
        "templates",
        "text",
        lambda s: f"Hello {{name}}, this is {s.company_name}.",
    ),
    ConfigField(
        "callback_template_es",
        "templates",
        "text",
        lambda s: "Te llamaremos el {when}. Gracias por tu paciencia.",
    ),
    ConfigField(
        "callback_template_en",
        "templates",
        "text",
        lambda s: "We will call you on {when}. Thank you for your patience.",
    ),
    ConfigField("on_duty_agent", "notifications", "text", lambda s: ""),
)
BY_KEY = {f.key: f for f in FIELDS}
# The placeholders each template is filled with (what the code replaces), and those it needs.
PLACEHOLDERS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    **{f"sms_template_{lang}": (frozenset({"name"}), frozenset()) for lang in ("es", "en")},
    **{
        f"callback_template_{lang}": (frozenset({"when"}), frozenset({"when"}))
        for lang in ("es", "en")
    },
}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
GROUPS = tuple(dict.fromkeys(f.group for f in FIELDS))


def record_audit(
    session: Session,
    agent_id: int | None,
    action: str,
    target: str,
    before: Any = None,
    after: Any = None,
) -> AuditLog:
    """Write one audit row (flushes with the caller's transaction)."""
    row = AuditLog(
        agent_id=agent_id,
        action=action,
        target=target,
        before=before,
        after=after,
        created_at=utcnow(),
    )
    session.add(row)
    return row


def _usable(session: Session, field: ConfigField, value: Any) -> bool:
    """Return True when a stored value would pass today's checks (rows may predate them)."""
    try:
        _parse(session, field, str(value))
    except ConfigChangeError as exc:
        log.warning("config %s: stored value %r %s; using the default", field.key, value, exc)
        return False
    return True


def current_config(session: Session, settings: Settings) -> dict[str, Any]:
    """Return every editable setting's value: stored, else its default.

    A stored number that is no longer valid (``nan``, out of range) reads as the default, so
    one bad row never breaks the queue or the dialog.
    """
    stored = {e.key: e.value for e in session.scalars(select(ConfigEntry))}
    values = {}
    for f in FIELDS:
        value = stored.get(f.key)
        usable = f.key in stored and (f.kind not in ("int", "float") or _usable(session, f, value))
        values[f.key] = value if usable else f.default(settings)
    return values


def conformity_threshold(session: Session, settings: Settings) -> float:
    """Return the conformity threshold managers set: the matrix, the queue and pages use it."""
    return float(current_config(session, settings)["conformity_threshold"])


def open_hours(session: Session, settings: Settings) -> tuple[OpenHours, ...]:
    """Return the business hours and days managers set (the one source every reader uses)."""
    config = current_config(session, settings)
    start, end = config["business_hours_start"], config["business_hours_end"]
    days = str(config["business_days"]).split(",")
    return parse_business_hours("; ".join(f"{day} {start}-{end}" for day in days))


def queue_wait(session: Session, settings: Settings) -> Callable[[datetime, datetime], int]:
    """Return how the queue wait is counted: the business-hours seconds from a hand-off to now
    (the one measure the queue, the KPIs and the dashboard alerts use), so a case parked
    overnight waits from the opening, not from the night."""
    with session.no_autoflush:  # reading the hours writes nothing pending
        rules = open_hours(session, settings)
    zone = company_timezone(settings)

    def waited(since: datetime, now: datetime) -> int:
        return open_seconds(rules, zone, _aware(since), _aware(now))

    return waited


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every stored time is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _parse(session: Session, field: ConfigField, raw: str) -> Any:
    text = raw.strip()
    if field.kind in ("int", "float"):
        try:
            value: Any = float(text)
        except ValueError:
            raise ConfigChangeError(field.key, "must be a number", "number") from None
        if not math.isfinite(value):
            raise ConfigChangeError(field.key, "must be a finite number", "number")
        if field.kind == "int":
            if not value.is_integer():
                raise ConfigChangeError(field.key, "must be a whole number", "whole")
            value = int(value)
        if field.minimum is not None and value < field.minimum:
            raise ConfigChangeError(
                field.key, f"must be at least {field.minimum:g}", "at_least", f"{field.minimum:g}"
            )
        if field.maximum is not None and value > field.maximum:
            raise ConfigChangeError(
                field.key, f"must be at most {field.maximum:g}", "at_most", f"{field.maximum:g}"
            )
        return value
    if field.kind == "time":
        if not _TIME.match(text):
            raise ConfigChangeError(field.key, "must be a time such as 08:30", "time")
        return text
    if field.kind == "days":
        days = [d.strip().lower() for d in text.split(",") if d.strip()]
        if not days or not set(days) <= set(WEEKDAYS):
            raise ConfigChangeError(field.key, f"must list days among {','.join(WEEKDAYS)}", "days")
        return ",".join(d for d in WEEKDAYS if d in days)
    if len(text) > MAX_TEMPLATE_CHARS:
        raise ConfigChangeError(
            field.key,
            f"must be at most {MAX_TEMPLATE_CHARS} characters",
            "too_long",
            MAX_TEMPLATE_CHARS,
        )
    if field.key in PLACEHOLDERS:
        _check_placeholders(field.key, text)
    if field.key == "on_duty_agent" and text:
        agent = session.scalars(select(Agent).where(Agent.email == text.lower())).first()
        if agent is None or not agent.active or not agent.phone:
            raise ConfigChangeError(
                field.key, "must be the e-mail of an active user with a phone", "on_duty"
            )
        return agent.email
    return text


def check_names(
    key: str,
    used: Iterable[str],
    allowed: Iterable[str],
    shown: Callable[[str], str] = "{{{}}}".format,
) -> None:
    """Refuse a template using a name it is not filled with (ConfigChangeError naming them,
    each written by ``shown``, and the names it may use)."""
    allowed = frozenset(allowed)
    unknown = [name for name in dict.fromkeys(used) if name not in allowed]
    if unknown:
        value = ", ".join(shown(name) for name in unknown)
        usable = ", ".join(shown(name) for name in sorted(allowed))
        raise ConfigChangeError(
            key, f"cannot fill {value}; use {usable}", "placeholder_unknown", value, usable
        )


def _check_placeholders(key: str, text: str) -> None:
    """Refuse a template naming a placeholder it is not filled with, or lacking a needed one."""
    allowed, required = PLACEHOLDERS[key]
    used = _PLACEHOLDER.findall(text)
    check_names(key, used, allowed)
    missing = sorted(required - set(used))
    if missing:
        value = ", ".join(f"{{{name}}}" for name in missing)
        raise ConfigChangeError(key, f"must include {value}", "placeholder_missing", value)


def update_config(
    session: Session,
    settings: Settings,
    changes: Mapping[str, str],
    agent_id: int | None,
    language: str = "en",
) -> list[str]:
    """Validate and store changed values, auditing each; return the keys that changed.

    Numbers are read as written in ``language`` (a Spanish form takes "50,5"). Nothing is
    stored when any value is invalid (:class:`ConfigChangeError`).
    """
    current = current_config(session, settings)
    parsed = {
        key: _parse(
            session,
            BY_KEY[key],
            parse_number(raw, language) if BY_KEY[key].kind in ("int", "float") else raw,
        )
        for key, raw in changes.items()
        if key in BY_KEY
    }
    if "business_hours_start" in parsed or "business_hours_end" in parsed:
        start = parsed.get("business_hours_start", current["business_hours_start"])
        end = parsed.get("business_hours_end", current["business_hours_end"])
        if start >= end:
            raise ConfigChangeError(
                "business_hours_end", "must be later than the start", "hours_order"
            )
    changed = [key for key, value in parsed.items() if value != current[key]]
    now = utcnow()
    for key in changed:
        entry = session.get(ConfigEntry, key)
        if entry is None:
            entry = ConfigEntry(key=key, value=parsed[key], updated_at=now, updated_by=agent_id)
            session.add(entry)
        else:
            entry.value, entry.updated_at, entry.updated_by = parsed[key], now, agent_id
        record_audit(session, agent_id, "config.set", f"config:{key}", current[key], parsed[key])
    session.flush()
    return changed


def audit_entries(session: Session, limit: int = 100) -> list[tuple[AuditLog, str | None]]:
    """Return the latest audit rows with the name of who acted, newest first."""
    rows = session.execute(
        select(AuditLog, Agent.name)
        .outerjoin(Agent, Agent.id == AuditLog.agent_id)
        .order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
        .limit(limit)
    ).all()
    named = _approvers(session, [row[0] for row in rows if row[1] is None])
    return [(row[0], row[1] or named.get(row[0].id)) for row in rows]


# What an approval writes after its decision (``contactpro.improve.approval``): the settings it
# changed, then what it applied; from the command line these carry no agent, only the decision
# names who approved (``--by``).
_APPROVE, _APPLY, _APPLIED_SETTING = "proposal.approve", "proposal.apply", "config.set"


def _approvers(session: Session, unnamed: list[AuditLog]) -> dict[int, str]:
    """Return who approved, by audit row id, for the rows an approval wrote without an agent."""
    named: dict[int, str] = {}
    for row in unnamed:
        if row.action != _APPLY or row.agent_id is not None:
            continue
        decision = session.scalars(
            select(AuditLog)
            .where(
                AuditLog.target == row.target,
                AuditLog.action == _APPROVE,
                AuditLog.id < row.id,
            )
            .order_by(AuditLog.id.desc())
            .limit(1)
        ).first()
        by = decision.after.get("by") if decision and isinstance(decision.after, dict) else None
        if decision is None or decision.agent_id is not None or not by:
            continue
        named[row.id] = str(by)
        named.update(
            (entry_id, str(by))
            for entry_id in session.scalars(
                select(AuditLog.id).where(
                    AuditLog.action == _APPLIED_SETTING,
                    AuditLog.agent_id.is_(None),
                    AuditLog.id > decision.id,
                    AuditLog.id < row.id,
                )
            )
        )
    return named
