"""Stored values in the reader's words: the bot's summary of an escalation, audit lines,
stored messages (a catalogue key and values), and money.

The packet keeps facts (customer, channel, language, intents, steps, reason); the sentence is
built when a page shows it, so a Spanish page never shows the English summary stored with it.
Likewise a failed replay and a rule-drafted proposal store a key and values beside their
English text (for the CLI), and pages word them in the reader's language.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from contactpro.console.durations import figure_duration
from contactpro.dialog.replies import MONTHS_ES, format_money
from contactpro.phone import to_e164

MONTHS_EN = (
    "January February March April May June July August September October November December"
).split()

Translate = Callable[[str], str]
# A knowledge-base article's title in the page's language, by the file name a step records.
ArticleTitle = Callable[[str], str | None]
# Stored values that are codes with a word in the catalogue, by the name they are stored under.
VALUE_PREFIXES = {
    "intent": "intent_",
    "tool": "tool_",
    "status": "pstatus_",
    "resolution": "outcome_",
    "setting": "cfg_",
    "template_problem": "tplerr_",
}
ESCALATION_PREFIXES = {**VALUE_PREFIXES, "status": "status_"}
# Audit fields that repeat elsewhere on the row ("by" is the Who column) or are too long to show.
AUDIT_HIDDEN = frozenset({"by"})
AUDIT_SUMMARISED = frozenset({"body"})
# Audit fields listed first, in this order; the others follow alphabetically.
AUDIT_FIRST = ("status", "outcome", "resolution", "agent")
# Audit targets ("cancellation:3") named in words with their number: "solicitud #3".
AUDIT_TARGETS = frozenset({"cancellation", "customer", "proposal"})
# Intents that answer the bot or pass the time of day: not something the customer asked about.
NOT_ASKED = frozenset({"affirm", "deny", "identification", "greeting", "goodbye"})
# A cancellation request's outcome in the work list's words.
CANCELLATION_PREFIXES = {**VALUE_PREFIXES, "outcome": "creq_outcome_"}
# Offers the bot records on a cancellation request, and the pattern of the retain discount.
OFFER_KEYS = {
    "loyalty_double_speed": "creq_offer_loyalty_double_speed",
    "preventive_visit": "creq_offer_preventive_visit",
}
_DISCOUNT = re.compile(r"discount_(\d+(?:\.\d+)?)_(\d+)m")
# A payment plan's code (``contactpro.dialog.offers``): its number of instalments.
_PLAN = re.compile(r"plan_(\d+)")


def word(translate: Translate, prefix: str, value: str) -> str:
    """Return the catalogue's word for ``prefix + value``; the value with spaces if it has none."""
    text = translate(prefix + value)
    return value.replace("_", " ") if text == prefix + value else text


# Steps the dialog records with a number or a code in them ("troubleshoot_3_done",
# "accepted_settle_now"): the catalogue words the pattern, the value goes in its place.
_STEP_PATTERNS = (
    (re.compile(r"troubleshoot_(\d+)_done"), "step_troubleshoot_n_done"),
    (re.compile(r"troubleshoot_(\d+)"), "step_troubleshoot_n"),
    (re.compile(r"accepted_(.+)"), "step_accepted_offer"),
    (re.compile(r"offered_(.+)"), "step_offered_benefit"),
    (re.compile(r"no_market_article_(.+)"), "step_no_market_article"),
    (re.compile(r"answered_(.+)"), "step_answered_article"),
)
# Steps whose code is an offer, worded as the cancellation work list words it.
_OFFER_STEPS = frozenset({"step_accepted_offer", "step_offered_benefit"})
# Steps whose code is a knowledge-base article's file name, worded by the article's title.
_ARTICLE_STEPS = frozenset({"step_answered_article", "step_no_market_article"})


def step(
    translate: Translate, value: str, language: str = "en", title: ArticleTitle | None = None
) -> str:
    """Return a step the bot recorded in the reader's words, numbered and coded steps too
    ("troubleshoot_2" -> "paso 2 de la guía de conexión", "offered_preventive_visit" ->
    "ofreció un beneficio para quedarse (visita técnica preventiva)"); ``title`` names an
    article by its title ("answered_roaming" -> "respondió con el artículo «Roaming ...»")."""
    key = "step_" + value
    if (text := translate(key)) != key:
        return text
    for pattern, pattern_key in _STEP_PATTERNS:
        if (match := pattern.fullmatch(value)) and (text := translate(pattern_key)) != pattern_key:
            code = match[1]
            if pattern_key in _OFFER_STEPS:
                return text.format(value=_offer_code(code, translate, language))
            if pattern_key in _ARTICLE_STEPS and title and (named := title(code)):
                return text.format(value=named)
            return text.format(value=code.replace("_", " "))
    return value.replace("_", " ")


def _offer_code(code: str, translate: Translate, language: str) -> str:
    """Return a retention or payment offer's code in words ("plan_3" -> "3 cuotas")."""
    if code in OFFER_KEYS or _DISCOUNT.fullmatch(code):
        return offer_words(code, translate, language)
    if match := _PLAN.fullmatch(code):
        return translate("offer_plan_n").format(parts=match[1])
    return word(translate, "offer_", code)


def unverified_claim(context: Mapping[str, Any], from_number: str | None) -> bool:
    """Return True when a packet names an account holder the sender did not prove to be: the
    identity was claimed from a number not on file and verification was not passed."""
    customer = context.get("customer") or {}
    if not customer or context.get("verified"):
        return False
    wrote = to_e164(from_number)
    return wrote is None or wrote != to_e164(customer.get("phone"))


def steps_apart(context: Mapping[str, Any]) -> tuple[list[str], list[Mapping[str, Any]]]:
    """Return a packet's own steps and its earlier conversations' (each a channel and steps).

    ``steps_tried`` lists the earlier conversations' steps first; a packet written before
    ``earlier_steps`` was kept has them all as its own.
    """
    steps = [str(s) for s in context.get("steps_tried") or []]
    earlier = [
        group
        for group in context.get("earlier_steps") or []
        if isinstance(group, Mapping) and group.get("steps")
    ]
    return steps[sum(len(group["steps"]) for group in earlier) :], earlier


def earlier_words(translate: Translate, key: str, channel: str, steps: str = "") -> str:
    """Return ``key`` naming an earlier conversation by its channel ("en la llamada anterior",
    "en la conversación anterior por SMS"), with its ``steps`` when the text has a place."""
    if channel == "voice" and (text := translate(f"{key}_voice")) != f"{key}_voice":
        return text.format(steps=steps)
    return translate(key).format(channel=word(translate, "channel_", channel), steps=steps)


def _earlier_steps(
    translate: Translate, group: Mapping[str, Any], language: str, title: ArticleTitle | None
) -> str:
    """Return an earlier conversation's steps introduced by its channel, for the summary."""
    steps = ", ".join(step(translate, s, language, title) for s in group["steps"])
    channel = str(group.get("channel") or "")
    return earlier_words(translate, "summary_earlier_steps", channel, steps)


def summary(
    context: Mapping[str, Any],
    translate: Translate,
    page_language: str = "en",
    title: ArticleTitle | None = None,
) -> str:
    """Return the escalation summary for ``context`` (an escalation packet) via ``translate``
    (whose language is ``page_language``); ``title`` words the articles in its steps.

    Erasure empties the packet (:func:`contactpro.privacy.erasure.erase`): the summary then
    says so rather than a sentence with its facts missing.
    """
    if not context:
        return translate("summary_erased")
    customer = context.get("customer") or {}
    intents = [
        str(turn["intent"])
        for turn in context.get("transcript") or []
        if turn.get("speaker") == "caller" and turn.get("intent") not in (None, "", *NOT_ASKED)
    ]
    asked = ", ".join(word(translate, "intent_", i) for i in dict.fromkeys(intents))
    current, earlier = steps_apart(context)
    steps = ", ".join(step(translate, s, page_language, title) for s in current)
    before = "".join(
        "; " + _earlier_steps(translate, group, page_language, title) for group in earlier
    )
    language = context.get("language")
    who = customer.get("name") or translate("summary_unknown")
    if customer.get("name") and unverified_claim(context, context.get("from_number")):
        who = translate("summary_claimed").format(name=customer["name"])
    channel = str(context.get("channel") or "sms")
    contacted = (
        translate("summary_contacted_voice")
        if channel == "voice"
        else translate("summary_contacted").format(channel=word(translate, "channel_", channel))
    )
    return translate("summary_text").format(
        who=who,
        contacted=contacted,
        language=translate(f"language_{language}") if language else "—",
        asked=asked or translate("summary_nothing"),
        steps=(steps or translate("none")) + before,
        reason=word(translate, "reason_", str(context.get("reason") or "")),
    )


def audit_line(action: str, target: str, translate: Translate) -> str:
    """Return an audit row's action and target as words: "setting changed: Opens (HH:MM)"."""
    kind, _, ident = target.partition(":")
    if kind == "config":
        what = word(translate, "cfg_", ident)
    elif kind in AUDIT_TARGETS or kind == "escalation":
        what = f"{word(translate, '' if kind == 'escalation' else 'target_', kind)} #{ident}"
    else:
        what = target
    return f"{word(translate, 'audit_', action.replace('.', '_'))}: {what}"


def similar_summary(count: int, outcomes: Mapping[str, int], translate: Translate) -> str:
    """Return how the ``count`` most similar past cases ended: "Of the 5 ...: 3 escalated"."""
    parts = ", ".join(
        f"{n} {translate('status_open') if o == 'open' else word(translate, 'outcome_', o)}"
        for o, n in outcomes.items()
    )
    return translate("similar_summary").format(n=count, parts=parts)


def audit_value(target: str, value: object, translate: Translate) -> str:
    """Return an audit row's before/after value; stored day keys become day names."""
    if value is None:
        return ""
    if target == "config:business_days" and isinstance(value, str):
        return ", ".join(word(translate, "day_", day) for day in value.split(",") if day)
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def coded_text(words: object, fallback: str, translate: Translate) -> str:
    """Return a stored ``{"key": ..., "values": {...}}`` message in the reader's words.

    Values stored under a name in :data:`VALUE_PREFIXES` (intents, tools, statuses) are
    worded too; without a usable key (or a word for it) ``fallback`` is returned.
    """
    if not isinstance(words, Mapping) or not isinstance(words.get("key"), str):
        return fallback
    key = str(words["key"])
    text = translate(key)
    if text == key:
        return fallback
    values = words.get("values") or {}
    shown = {
        name: word(translate, VALUE_PREFIXES[name], str(value)) if name in VALUE_PREFIXES else value
        for name, value in (values.items() if isinstance(values, Mapping) else ())
    }
    try:
        return text.format(**shown)
    except (KeyError, IndexError, ValueError):
        return fallback


def proposal_title(title: str, body: object, translate: Translate) -> str:
    """Return a proposal's title in the reader's words (a rule draft's title is stored coded)."""
    words = body.get("title_words") if isinstance(body, Mapping) else None
    return coded_text(words, title, translate)


def edited_title(stored: str, body: object, submitted: str, translations: list[Translate]) -> str:
    """Return the title to keep after an edit: a rule draft's coded title, shown in the page's
    language, is kept when the manager left it as shown in any language."""
    shown = {proposal_title(stored, body, translate) for translate in translations}
    return stored if submitted.strip() in shown else submitted


def run_error(error: str | None, results: object, translate: Translate) -> str:
    """Return why a replay failed in the reader's words (the stored English text otherwise)."""
    words = results.get("error") if isinstance(results, Mapping) else None
    return coded_text(words, error or "", translate)


def money(amount: object, currency: str, language: str) -> str:
    """Return an amount for a console page: Spanish as the bot says it ("761.124 pesos"),
    English as the console always showed it ("761,124.00 COP")."""
    value = Decimal(str(amount))
    if language == "es":
        return format_money(value, currency, "es")
    return f"{value:,.2f} {currency}"


# Each language's decimal mark and thousands separator: one number formatter per language.
SEPARATORS = {"es": (",", "."), "en": (".", ",")}
# A number written the English way in a stored text: "44.0", "1,234.56", "12,000".
_ENGLISH_NUMBER = re.compile(
    r"(?<![\w.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w,]|\.\d)|(?<![\w.,])\d+\.\d+(?![\w.,]\d)"
)


def _separate(text: str, language: str) -> str:
    """Rewrite an English-formatted number ("1,234.5") with the language's separators."""
    decimal, thousands = SEPARATORS.get(language, SEPARATORS["en"])
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)


def number(value: object, decimals: int | None, language: str, grouped: bool = True) -> str:
    """Return a figure for a console page: ``1.234,5`` in Spanish, ``1,234.5`` in English.

    ``decimals`` None keeps the value's own decimals (a setting of 45.375 shows "45,375").
    """
    if value is None or value == "":
        return "—"
    if decimals is None:
        exact = Decimal(str(value)).normalize()
        return _separate(f"{exact:,f}" if grouped else f"{exact:f}", language)
    number_value = float(Decimal(str(value)))
    text = f"{number_value:,.{decimals}f}" if grouped else f"{number_value:.{decimals}f}"
    return _separate(text, language)


# How an alert's figure reads (``contactpro.observability.alerts``): scale, decimals, unit. The
# error rate is stored as a share and read as a percentage; times are whole units.
ALERT_FIGURES = {
    "response_p95_ms": (1, 0, " ms"),
    "error_rate": (100, 1, " %"),
    "classifier_confidence": (1, 2, ""),
    "queue_wait_seconds": (1, 0, " s"),
}
# A figure in seconds in a stored text ("1733 s", "≤ 1,200 s"), read as a duration instead.
_SECONDS_FIGURE = re.compile(r"(?<![\w.,])(?P<value>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?) s\b")


def duration(seconds: float | None, language: str) -> str:
    """Return a duration as a manager reads it: "45 s", "2,5 min", "29 min", "1,5 h", never
    "1.733 s" (a Spanish reader takes the dot for a decimal mark)."""
    if seconds is None:
        return "—"
    value, unit = figure_duration(seconds)
    return f"{number(value, None if value % 1 else 0, language)} {unit}"


def alert_figure(key: str, value: float | None, language: str) -> str:
    """Return an alert's reading or threshold as a manager reads it: "833 s", "7,5 %"."""
    if value is None:
        return "—"
    scale, decimals, unit = ALERT_FIGURES.get(key, (1, 2, ""))
    if unit == " s":
        return duration(value * scale, language)
    return f"{number(value * scale, decimals, language)}{unit}"


def numbers_in(text: str, language: str) -> str:
    """Return a stored text (a KPI figure such as "44.0 %" or "≥ 1,200 s") with its numbers
    written the language's way."""
    if not text:
        return text
    text = _SECONDS_FIGURE.sub(lambda m: duration(float(m["value"].replace(",", "")), "en"), text)
    if language == "en":
        return text
    return _ENGLISH_NUMBER.sub(lambda m: _separate(m.group(0), language), text)


def parse_number(text: str, language: str) -> str:
    """Return a number typed in a form as Python reads it: a Spanish "50,5" becomes "50.5".

    In Spanish a comma is the decimal mark (a dot only groups thousands when followed by three
    digits and a comma-free rest: "1.200" is twelve hundred); in English commas group thousands.
    """
    text = text.strip()
    if language == "es":
        if "," in text:
            return text.replace(".", "").replace(",", ".")
        if re.fullmatch(r"-?\d{1,3}(\.\d{3})+", text):
            return text.replace(".", "")
        return text
    return text.replace(",", "") if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", text) else text


def audit_who(name: str | None, after: object) -> str:
    """Return who acted: the agent's name, else the name given to the CLI (``--by``)."""
    if name:
        return name
    by = after.get("by") if isinstance(after, Mapping) else None
    return str(by) if by else ""


def offer_words(offer: str | None, translate: Translate, language: str) -> str:
    """Return an offer in words: ``discount_10_3m`` -> "10 % de descuento por 3 meses"."""
    if not offer:
        return translate("creq_no_offer")
    if match := _DISCOUNT.fullmatch(offer):
        percent = Decimal(match[1])
        decimals = 0 if percent == percent.to_integral_value() else 1
        return translate("creq_offer_discount").format(
            percent=number(percent, decimals, language), months=int(match[2])
        )
    key = OFFER_KEYS.get(offer)
    return translate(key) if key else offer


def _field_value(
    name: str,
    value: object,
    translate: Translate,
    target: str = "",
    language: str = "en",
    local: Callable[[datetime], str] | None = None,
) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return translate("audit_true" if value else "audit_false")
    if name == "offer" and isinstance(value, str):
        return offer_words(value, translate, language)
    if name == "scheduled_for" and local is not None and isinstance(value, str):
        try:
            return local(datetime.fromisoformat(value))
        except ValueError:
            return value
    # An escalation's status is a queue status ("abierto"), not a proposal's; a cancellation
    # request's outcome is the work list's ("retenido").
    prefixes = VALUE_PREFIXES
    if target.startswith("escalation:"):
        prefixes = ESCALATION_PREFIXES
    elif target.startswith("cancellation:"):
        prefixes = CANCELLATION_PREFIXES
    if name in prefixes and isinstance(value, str):
        return word(translate, prefixes[name], value)
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def audit_changes(
    target: str,
    before: object,
    after: object,
    translate: Translate,
    language: str = "en",
    local: Callable[[datetime], str] | None = None,
) -> list[str]:
    """Return an audit row's before and after as "field: value" lines, one pair of texts.

    Scalars keep :func:`audit_value`; for objects (proposal decisions and edits, hand-offs,
    cancellation requests, erasures) only the fields that changed are listed, each named in
    the reader's words, with codes (statuses, outcomes, offers, yes/no) worded, stored times
    as ``local`` writes them, and a long body summarised rather than dumped as JSON.
    """
    if not isinstance(before, Mapping) and not isinstance(after, Mapping):
        return [audit_value(target, before, translate), audit_value(target, after, translate)]
    old = before if isinstance(before, Mapping) else {}
    new = after if isinstance(after, Mapping) else {}
    # One order whatever the database keeps a JSON object's keys in (PostgreSQL sorts them).
    names = sorted(
        (n for n in dict.fromkeys([*old, *new]) if n not in AUDIT_HIDDEN),
        key=lambda n: (AUDIT_FIRST.index(n) if n in AUDIT_FIRST else len(AUDIT_FIRST), n),
    )
    changed = [n for n in names if old.get(n) != new.get(n)]
    sides = []
    for side in (old, new):
        lines = []
        for name in changed:
            if name not in side:
                continue
            label = word(translate, "afield_", name)
            if name in AUDIT_SUMMARISED:
                value = translate("audit_body_before" if side is old else "audit_body_after")
            elif name == "title" and target.startswith("proposal:"):
                # A rule draft's title is stored in English beside its words (its body's).
                value = proposal_title(str(side[name] or ""), side.get("body"), translate) or "—"
            else:
                value = _field_value(name, side[name], translate, target, language, local)
            lines.append(f"{label}: {value}")
        sides.append("; ".join(lines))
    return sides


def _month(month: object, language: str) -> str:
    names = MONTHS_ES if language == "es" else MONTHS_EN
    return names[int(month) - 1] if isinstance(month, int) and 1 <= month <= 12 else "—"


def _day(value: object, language: str) -> str:
    """Return a stored ISO day ("2026-12-04") as the page's language writes dates."""
    text = str(value or "")
    if len(text) != 10:
        return text or "—"
    year, month, day = text[:4], int(text[5:7]), int(text[8:])
    if language == "es":
        return f"{day} de {_month(month, language)} de {year}"
    return f"{_month(month, language)} {day}, {year}"


def long_date(day: date, language: str, *, with_year: bool = True) -> str:
    """Return a day as the language writes it: "15 de diciembre de 2026", "December 15, 2026"."""
    month = _month(day.month, language)
    if language == "es":
        return f"{day.day} de {month} de {day.year}" if with_year else f"{day.day} de {month}"
    return f"{month} {day.day}, {day.year}" if with_year else f"{month} {day.day}"


def date_time(moment: datetime, language: str, today: date | None = None) -> str:
    """Return a local time as the language writes it, the year left out in the current one:
    "5 de diciembre, 23:09", "December 5, 2025, 23:09"."""
    shown = long_date(moment.date(), language, with_year=today is None or moment.year != today.year)
    return f"{shown}, {moment:%H:%M}"


def day_text(value: object, language: str) -> str:
    """Return a stored day (a date or ISO "2026-12-15") in the language's words; "—" if none."""
    if isinstance(value, datetime):
        return long_date(value.date(), language)
    if isinstance(value, date):
        return long_date(value, language)
    try:
        return long_date(date.fromisoformat(str(value or "")), language)
    except ValueError:
        return str(value or "") or "—"


def handoff_lines(context: Mapping[str, Any], translate: Translate, language: str) -> list[str]:
    """Return what the bot gathered for the agent beyond the transcript, one line per fact,
    in the page's language: a payment the customer says they made, a disputed charge and the
    charges the bot showed, the requests still waiting, abuse, a writer who is not the holder,
    a cancellation to undo, an answer the customer never received."""
    details = context.get("details")
    if not isinstance(details, Mapping):
        return []
    lines = []
    claim = details.get("payment_claim")
    if isinstance(claim, Mapping):
        currency = str(claim.get("currency") or "")
        amount = claim.get("amount")
        lines.append(
            translate("handoff_claim").format(
                amount=money(amount, currency, language) if amount else "—",
                day=translate("handoff_claim_day").format(day=_day(claim["date"], language))
                if claim.get("date")
                else translate("handoff_claim_no_day"),
                account=claim.get("account") or "—",
            )
        )
        last = claim.get("last_recorded")
        lines.append(
            translate("handoff_claim_last").format(
                amount=money(last["amount"], currency, language),
                day=_day(last.get("date"), language),
            )
            if isinstance(last, Mapping) and last.get("amount")
            else translate("handoff_claim_none")
        )
    if kind := details.get("dispute"):
        charges = [c for c in details.get("charges") or [] if isinstance(c, Mapping)]
        entries = [
            e for c in charges for e in (c.get("invoices") or []) + (c.get("payments") or [])
        ]
        lines.append(
            translate("handoff_dispute").format(
                kind=word(translate, "dispute_", str(kind)),
                when=_month(details.get("month"), language)
                if details.get("month")
                else translate("handoff_recent"),
                seen=len(entries),
                twice=sum(1 for e in entries if isinstance(e, Mapping) and e.get("twice")),
            )
        )
    waiting = [str(i) for i in details.get("pending_requests") or []]
    if waiting:
        lines.append(
            translate("handoff_pending").format(
                requests=", ".join(word(translate, "intent_", i) for i in waiting)
            )
        )
    if details.get("abuse"):
        lines.append(translate("handoff_abuse"))
    if details.get("not_holder"):
        lines.append(translate("handoff_not_holder"))
    withdrawal = details.get("withdrawal")
    if isinstance(withdrawal, Mapping):
        lines.append(
            translate("handoff_withdrawal").format(
                account=withdrawal.get("account") or "—",
                day=_day(withdrawal.get("processed_on"), language),
            )
        )
    undelivered = details.get("undelivered")
    if isinstance(undelivered, Mapping):
        why = translate(f"undelivered_{undelivered.get('why')}")
        if why.startswith("undelivered_"):  # a refusal code of Twilio's: said in general words
            why = translate("undelivered_telephony_failed")
        lines.append(translate("handoff_undelivered").format(why=why))
    leaving = details.get("cancellation")
    if isinstance(leaving, Mapping):
        offer = leaving.get("offer")
        lines.append(
            translate("handoff_cancellation").format(
                account=leaving.get("account") or "—",
                offer=_offer_code(str(offer), translate, language) if offer else "—",
            )
        )
    return lines
