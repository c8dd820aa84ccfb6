"""The conversation dataset format: one JSON conversation a line, Spanish or English keys.

::

    {"conversation_id": "c1",
     "meta": {"context", "canal"|"channel", "idioma"|"language", "resolved", "num_interactions",
              "duration_sec", ...},
     "transcript": [{"role": "user"|"assistant", "content": "..."}],
     "outcomes": {"csat_estimated_1_5", "summary", "intent_detected": [...],
                  "tools_needed": [...]}}

A key of ``meta`` or ``outcomes`` written beside them, at the top level of the line, is read
as if it were inside (given in both places with two values, the line is reported).
Reading never stops at a bad line: each one is reported with its line number and skipped.
Writing always uses the English spellings.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from contactpro.errors import ContactProError, file_problem
from contactpro.resilience.atomic import replace_file

# Every accepted spelling of a key, the English one first (the one written).
ID_KEYS = ("conversation_id", "id_conversacion", "conversacion_id", "id")
META_KEYS = ("meta", "metadatos")
TRANSCRIPT_KEYS = ("transcript", "transcripcion", "transcripción", "mensajes")
OUTCOME_KEYS = ("outcomes", "resultados")
ROLE_KEYS = ("role", "rol")
CONTENT_KEYS = ("content", "contenido", "texto", "text")
META_ALIASES: dict[str, tuple[str, ...]] = {
    "context": ("context", "contexto"),
    "channel": ("channel", "canal"),
    "language": ("language", "idioma"),
    "resolved": ("resolved", "resuelto", "resuelta"),
    "num_interactions": ("num_interactions", "num_interacciones"),
    "duration_sec": ("duration_sec", "duracion_seg", "duración_seg", "duracion_sec"),
    "started_at": ("started_at", "fecha", "inicio", "timestamp"),
    "call_type": ("call_type", "tipo_llamada"),
    "failure_step": ("failure_step", "paso_fallo"),
    "failure_reason": ("failure_reason", "motivo_fallo", "razon_fallo"),
    "segment": ("segment", "segmento"),
    "escalation_reason": ("escalation_reason", "motivo_escalamiento"),
    "csat": ("csat", "csat_survey", "csat_encuesta"),
    "bot_latency_ms": ("bot_latency_ms", "latencia_bot_ms"),
}
OUTCOME_ALIASES: dict[str, tuple[str, ...]] = {
    "csat_estimated_1_5": ("csat_estimated_1_5", "csat_estimado_1_5"),
    "summary": ("summary", "resumen"),
    "intent_detected": ("intent_detected", "intencion_detectada", "intención_detectada"),
    "tools_needed": ("tools_needed", "herramientas_necesarias"),
}
USER_ROLES = frozenset({"user", "usuario", "cliente", "customer", "caller"})
ASSISTANT_ROLES = frozenset({"assistant", "asistente", "bot", "agent", "agente"})
CHANNELS = {"voice": "voice", "voz": "voice", "llamada": "voice", "phone": "voice"}
CHANNELS |= {"sms": "sms", "chat": "sms", "whatsapp": "whatsapp", "texto": "sms", "text": "sms"}


class DatasetError(ContactProError):
    """A dataset file cannot be read at all (missing, unreadable, a required column absent)."""

    reason = "bad_dataset"


@dataclass(frozen=True)
class LineProblem:
    """Why one line of a dataset was skipped."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class Message:
    """One message of a transcript: ``user`` (the customer) or ``assistant`` (the bot)."""

    role: str
    content: str


@dataclass
class Conversation:
    """One conversation of a dataset, in memory."""

    conversation_id: str
    transcript: list[Message]
    channel: str | None = None
    language: str | None = None
    resolved: bool | None = None
    duration_sec: float | None = None
    started_at: datetime | None = None
    context: str | None = None
    call_type: str | None = None
    failure_step: str | None = None
    failure_reason: str | None = None
    segment: str | None = None
    escalation_reason: str | None = None
    csat: float | None = None  # a survey answer
    csat_estimated: float | None = None  # an estimate carried by the dataset
    bot_latency_ms: float | None = None
    summary: str | None = None
    intents: list[str] = field(default_factory=list)
    tools_needed: list[str] = field(default_factory=list)
    extra_meta: dict[str, Any] = field(default_factory=dict)

    @property
    def user_texts(self) -> list[str]:
        """Return what the customer said, in order."""
        return [m.content for m in self.transcript if m.role == "user"]

    def to_json(self) -> dict[str, Any]:
        """Return the conversation in the dataset format (English keys)."""
        meta: dict[str, Any] = dict(self.extra_meta)
        for key in META_ALIASES:
            value = getattr(self, key, None)
            if value is not None:
                meta[key] = value.isoformat() if isinstance(value, datetime) else value
        meta["num_interactions"] = len(self.transcript)
        outcomes: dict[str, Any] = {
            "intent_detected": list(self.intents),
            "tools_needed": list(self.tools_needed),
        }
        if self.csat_estimated is not None:
            outcomes["csat_estimated_1_5"] = self.csat_estimated
        if self.summary:
            outcomes["summary"] = self.summary
        return {
            "conversation_id": self.conversation_id,
            "meta": meta,
            "transcript": [{"role": m.role, "content": m.content} for m in self.transcript],
            "outcomes": outcomes,
        }


def outcome_of(conv: Conversation) -> str | None:
    """Return auto_resolved, escalated, abandoned, or None when the dataset does not say."""
    if conv.resolved:
        return "auto_resolved"
    if conv.escalation_reason or conv.failure_reason:
        return "escalated"
    return "abandoned" if conv.resolved is False else None


def _pick(data: Mapping[str, Any], keys: Iterable[str]) -> Any:
    for key in keys:
        if key in data:
            return data[key]
    return None


def _text(value: Any, name: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return str(value).strip() or None
    raise ValueError(f"{name} must be text, got {type(value).__name__}")


def _number(value: Any, name: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number, got a boolean")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if number != number or number < 0:
        raise ValueError(f"{name} must be a non-negative number, got {value!r}")
    return number


def _score(value: Any, name: str) -> float | None:
    """Read a 1-5 satisfaction score (a survey answer or an estimate)."""
    number = _number(value, name)
    if number is not None and not 1 <= number <= 5:
        raise ValueError(f"{name} must be 1-5, got {value!r}")
    return number


def _flag(value: Any, name: str) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "si", "sí"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise ValueError(f"{name} must be true or false, got {value!r}")


def _words(value: Any, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v for v in value if v.strip()]
    raise ValueError(f"{name} must be a list of texts")


def parse_time(value: Any, name: str = "started_at") -> datetime | None:
    """Parse an ISO timestamp (``Z`` allowed); naive values are taken as UTC."""
    text = _text(value, name)
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{name} is not an ISO date-time: {text!r}") from None


def _message(item: Any, index: int) -> Message:
    if not isinstance(item, Mapping):
        raise ValueError(f"transcript[{index}] must be an object")
    role = _pick(item, ROLE_KEYS)
    content = _pick(item, CONTENT_KEYS)
    if not isinstance(role, str) or role.strip().lower() not in USER_ROLES | ASSISTANT_ROLES:
        raise ValueError(f"transcript[{index}].role must be user or assistant, got {role!r}")
    if not isinstance(content, str):
        raise ValueError(f"transcript[{index}].content must be text")
    kind = "user" if role.strip().lower() in USER_ROLES else "assistant"
    return Message(kind, content.strip())


def _with_top_level(
    data: Mapping[str, Any],
    section: Mapping[str, Any],
    aliases: dict[str, tuple[str, ...]],
    name: str,
) -> dict[str, Any]:
    """Return ``section`` (``meta`` or ``outcomes``) with the keys of ``aliases`` the line
    holds at its top level instead; raise ValueError for one given in both with two values."""
    merged = dict(section)
    for names in aliases.values():
        outside = next((key for key in names if data.get(key) is not None), None)
        if outside is None:
            continue
        inside = _pick(section, names)
        if inside is None:
            merged[outside] = data[outside]
        elif inside != data[outside]:
            raise ValueError(
                f"{outside} is given twice: {inside!r} in {name}, {data[outside]!r} beside it"
            )
    return merged


def conversation_from_json(data: Any) -> Conversation:
    """Build a conversation from one decoded JSON line; raise ValueError saying what is wrong."""
    if not isinstance(data, Mapping):
        raise ValueError("a line must be a JSON object")
    cid = _text(_pick(data, ID_KEYS), "conversation_id")
    if cid is None:
        raise ValueError("conversation_id is missing")
    meta = _pick(data, META_KEYS) or {}
    outcomes = _pick(data, OUTCOME_KEYS) or {}
    transcript = _pick(data, TRANSCRIPT_KEYS)
    if not isinstance(meta, Mapping) or not isinstance(outcomes, Mapping):
        raise ValueError("meta and outcomes must be objects")
    if not isinstance(transcript, list):
        raise ValueError("transcript is missing or not a list")
    meta = _with_top_level(data, meta, META_ALIASES, "meta")
    outcomes = _with_top_level(data, outcomes, OUTCOME_ALIASES, "outcomes")
    m = {key: _pick(meta, names) for key, names in META_ALIASES.items()}
    o = {key: _pick(outcomes, names) for key, names in OUTCOME_ALIASES.items()}
    known = {name for names in META_ALIASES.values() for name in names}
    channel = _text(m["channel"], "channel")
    language = _text(m["language"], "language")
    return Conversation(
        conversation_id=cid,
        transcript=[_message(item, i) for i, item in enumerate(transcript)],
        channel=CHANNELS.get(channel.lower(), channel.lower()) if channel else None,
        language=language.lower()[:2] if language else None,
        resolved=_flag(m["resolved"], "resolved"),
        duration_sec=_number(m["duration_sec"], "duration_sec"),
        started_at=parse_time(m["started_at"]),
        context=_text(m["context"], "context"),
        call_type=_text(m["call_type"], "call_type"),
        failure_step=_text(m["failure_step"], "failure_step"),
        failure_reason=_text(m["failure_reason"], "failure_reason"),
        segment=_text(m["segment"], "segment"),
        escalation_reason=_text(m["escalation_reason"], "escalation_reason"),
        csat=_score(m["csat"], "csat"),
        csat_estimated=_score(o["csat_estimated_1_5"], "csat_estimated_1_5"),
        bot_latency_ms=_number(m["bot_latency_ms"], "bot_latency_ms"),
        summary=_text(o["summary"], "summary"),
        intents=_words(o["intent_detected"], "intent_detected"),
        tools_needed=_words(o["tools_needed"], "tools_needed"),
        extra_meta={k: v for k, v in meta.items() if k not in known and k != "num_interactions"},
    )


# This many unusable lines before any conversation: the file is not JSONL at all.
NOT_JSONL_AFTER = 20


def read_jsonl(path: Path) -> tuple[list[Conversation], list[LineProblem]]:
    """Read a JSONL dataset; return the conversations and the lines skipped, with why."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(file_problem(path, exc)) from None
    conversations: list[Conversation] = []
    problems: list[LineProblem] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if not conversations and len(problems) >= NOT_JSONL_AFTER:
            raise DatasetError(
                f"{path} is not JSONL (one JSON conversation a line): "
                f"its first {len(problems)} lines are not conversations"
            )
        try:
            conversation = conversation_from_json(json.loads(line))
        except json.JSONDecodeError as exc:
            problems.append(LineProblem(number, f"broken JSON ({exc.msg}, column {exc.colno})"))
            continue
        except ValueError as exc:
            problems.append(LineProblem(number, str(exc)))
            continue
        if conversation.conversation_id in seen:
            problems.append(LineProblem(number, f"duplicate id {conversation.conversation_id!r}"))
            continue
        seen.add(conversation.conversation_id)
        conversations.append(conversation)
    return conversations, problems


def write_jsonl(conversations: Iterable[Conversation], path: Path) -> int:
    """Write conversations one a line; return how many were written.

    Transcripts are personal data: the file is readable by its owner only (0600), and it
    replaces ``path`` only once complete.
    """
    count = 0
    with replace_file(path, private=True) as handle:
        for conversation in conversations:
            handle.write(json.dumps(conversation.to_json(), ensure_ascii=False) + "\n")
            count += 1
    return count
