"""The rules tier: what must never be guessed.

Rules extract entities from every utterance (national ids, account numbers, DTMF digits, money
amounts, dates) and decide the intent only when the answer is certain: a DTMF key, an explicit
request for a person, a bare yes or no, an utterance that is essentially an id or account number,
a short request that is nothing but an unambiguous name of a topic ("payment plan", "plan de
pagos"). Everything else is left to the trained classifier, which still receives the entities.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from contactpro.nlu.dates import MONTHS, named_date
from contactpro.nlu.taxonomy import DEFAULT_DTMF_MENU, OUT_OF_SCOPE
from contactpro.nlu.text import fold, normalise, numeric_form

_DEFAULT_MENU = dict(DEFAULT_DTMF_MENU)
# The key that asks for a person whatever the bot is asking (docs/voice.md).
AGENT_KEY = "0"


@dataclass(frozen=True)
class RuleResult:
    """Entities found in an utterance and, when certain, its intent."""

    entities: dict[str, Any] = field(default_factory=dict)
    intent: str | None = None
    reason: str = ""


# --- Numbers that identify a caller --------------------------------------------------------------

_ID_CUES = re.compile(
    r"\b(cedula|cc|c c|documento|identificacion|identidad|id|national id|dni|ine|curp|rfc|nit|"
    r"pasaporte|passport|social|ssn|license)\b"
)
_ACCOUNT_CUES = re.compile(
    r"\b(cuenta|contrato|cliente|suscriptor|linea|referencia|account|contract|customer|"
    r"subscriber|member|policy|reference)\b"
)
# Digits possibly grouped by dots, spaces or dashes: 1.023.456.789, 52 345 678, 44-55-66-77.
_DIGIT_RUN = re.compile(
    r"(?<![\w$.,])\d{1,4}(?:[ .-]\d{1,4})*(?![\w,]|\.\d)|(?<![\w$.,])\d{5,}(?![\w.,])"
)
_PHONE_CUES = re.compile(r"\b(telefono|celular|cel|movil|phone|cell|mobile)\b")
_ID_FILLER = frozenset(
    "mi my es is el la le lo numero number no de del of the it its it's s a an here here's heres "
    "doy give you i ll i'll te tengo con nombre a la y and this este esta ese".split()
)


def _digits(run: str) -> str:
    return re.sub(r"\D", "", run)


def _identifiers(numeric: str, norm: str) -> dict[str, str]:
    """Return national_id / account_number found in the utterance."""
    found: dict[str, str] = {}
    for match in _DIGIT_RUN.finditer(numeric):
        digits = _digits(match.group(0))
        if not 5 <= len(digits) <= 16:
            continue
        before = numeric[max(0, match.start() - 40) : match.start()]
        after = numeric[match.end() : match.end() + 12]
        if re.match(r"\s*(pesos|dolares|dollars|bucks|usd|cop|mxn|mil|k)\b", after) or (
            before.rstrip().endswith("$")
        ):
            continue  # an amount, not an identifier
        account_cue = _ACCOUNT_CUES.search(before)
        id_cue = _ID_CUES.search(before)
        if _PHONE_CUES.search(before):
            found.setdefault("phone", digits)
        elif account_cue and (not id_cue or account_cue.start() > id_cue.start()):
            found.setdefault("account_number", digits)
        elif id_cue or 6 <= len(digits) <= 10:
            found.setdefault("national_id", digits)
        else:
            found.setdefault("account_number", digits)
    if (
        not found
        and _ID_CUES.search(norm)
        and (m := re.search(r"\b(?=[a-z0-9]*\d)[a-z0-9]{8,18}\b", norm))
    ):
        found["national_id"] = m.group(0).upper()  # alphanumeric ids: passport, CURP, RFC
    return found


def _is_mostly_identifier(numeric: str) -> bool:
    """Return True when the utterance is an identifier with at most one extra word."""
    rest = _DIGIT_RUN.sub(" ", numeric)
    rest = _ID_CUES.sub(" ", _ACCOUNT_CUES.sub(" ", rest))
    words = [w for w in re.sub(r"[^\w' ]", " ", rest).split() if w not in _ID_FILLER]
    return len(words) <= 1


# --- Money ---------------------------------------------------------------------------------------

_CURRENCY_WORDS = {
    "pesos": "COP",
    "peso": "COP",
    "lucas": "COP",
    "cop": "COP",
    "mxn": "MXN",
    "dolares": "USD",
    "dolar": "USD",
    "dollars": "USD",
    "dollar": "USD",
    "bucks": "USD",
    "usd": "USD",
}
_NUM = r"\d[\d.,]*\d|\d"
_AMOUNT = re.compile(
    rf"(?P<dollar>\$|usd|cop|mxn)\s?(?P<a>{_NUM})(?:\s?(?P<amil>mil|k)\b)?"
    rf"|(?P<b>{_NUM})\s?(?P<bmil>mil|k|millones|millon)?\s?(?P<cur>"
    + "|".join(_CURRENCY_WORDS)
    + r")\b"
    rf"|(?P<c>{_NUM})\s?(?P<cmil>mil|millones|millon)\b"
)


def parse_number(raw: str) -> Decimal | None:
    """Read a written number with either convention: 1.234,56 / 1,234.56 / 120.000 / 12,5."""
    raw = raw.strip(".,")
    dots, commas = raw.count("."), raw.count(",")
    if dots and commas:
        decimal_sep = "." if raw.rfind(".") > raw.rfind(",") else ","
        thousands = "," if decimal_sep == "." else "."
        raw = raw.replace(thousands, "").replace(decimal_sep, ".")
    elif dots or commas:
        sep = "." if dots else ","
        head, _, tail = raw.rpartition(sep)
        # One separator followed by exactly three digits, or several separators: thousands.
        raw = (
            raw.replace(sep, "")
            if (dots + commas > 1 or len(tail) == 3)
            else (head.replace(sep, "") + "." + tail)
        )
    try:
        return Decimal(raw)
    except InvalidOperation:
        return None


# A number right after "pagué" / "I paid" is the money paid, never an id ("ya pagué 133718",
# "I paid 90.95"), unless it is a day ("pagué 5 de noviembre", "paid 7/11") or a count.
_PAID_NUMBER = re.compile(
    r"\b(?:pague|pagamos|pagaron|paid|abone|consigne|transferi|deposite|transferred|deposited)"
    rf"\s+(?:(?:de|unos|como|about|around|like)\s+)?(?P<n>{_NUM})(?![\d/]|\s*(?:st|nd|rd|th)\b)"
    r"(?!\s+(?:de\s+|of\s+)?(?:"
    + "|".join(sorted(MONTHS, key=len, reverse=True))
    + r"|cuotas?|pagos?|veces|meses|dias|semanas|anos|facturas?|recibos?|cuentas?|lineas?"
    r"|payments?|times|months?|days|weeks|years|bills?|invoices?|accounts?|lines?)\b)"
)


def paid_amount(text: str) -> Decimal | None:
    """Return the money a customer says they paid as a bare number ("ya pagué 133718",
    "I paid 90.95"), if any."""
    match = _PAID_NUMBER.search(numeric_form(text))
    return parse_number(match.group("n")) if match else None


def _amount(numeric: str, language: str) -> tuple[dict[str, str], tuple[int, int]] | None:
    match = _AMOUNT.search(numeric)
    if not match:
        paid = _PAID_NUMBER.search(numeric)
        value = parse_number(paid.group("n")) if paid else None
        if paid is None or value is None:
            return None
        return {"value": format(value.normalize(), "f")}, paid.span("n")
    raw = match.group("a") or match.group("b") or match.group("c")
    value = parse_number(raw)
    if value is None:
        return None
    scale = match.group("amil") or match.group("bmil") or match.group("cmil") or ""
    value *= {"mil": 1000, "k": 1000, "millon": 10**6, "millones": 10**6}.get(scale, 1)
    if match.group("cur") == "lucas":
        value *= 1000  # Colombian slang: one "luca" is a thousand pesos
    symbol = match.group("dollar") or ""
    currency = (
        _CURRENCY_WORDS.get(match.group("cur") or "")
        or {"usd": "USD", "cop": "COP", "mxn": "MXN"}.get(symbol)
        or ("USD" if language == "en" and symbol == "$" else None)
    )
    result = {"value": format(value.normalize(), "f")}
    if currency:
        result["currency"] = currency
    return result, match.span()


# --- Dates ---------------------------------------------------------------------------------------

_MONTHS = {
    "enero": 1,
    "febrero": 2,
    "marzo": 3,
    "abril": 4,
    "mayo": 5,
    "junio": 6,
    "julio": 7,
    "agosto": 8,
    "septiembre": 9,
    "setiembre": 9,
    "octubre": 10,
    "noviembre": 11,
    "diciembre": 12,
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}


def _date(numeric: str, language: str, today: date) -> str | None:
    """Return the day the utterance names, read and placed as the dialog reads it
    (:mod:`contactpro.nlu.dates`): "hasta el 20 de febrero" is the next 20 February."""
    when = named_date(numeric, today, month_first=language == "en")
    return when.isoformat() if when else None


# --- Yes, no and "a person, please" --------------------------------------------------------------

_AFFIRM_CORE = frozenset(
    "si claro correcto exacto afirmativo dale listo ok okey okay perfecto aja simon orale va sale "
    "confirmo acepto hagale obvio cierto supuesto yes yeah yep yup sure correct exactly alright "
    "right absolutely definitely affirmative confirm confirmed agree mhm fine perfect indeed "
    "totally".split()
)
_DENY_CORE = frozenset(
    "no nop nope nah naa naah negativo negative incorrecto incorrect wrong nel nones tampoco never "
    "nunca".split()
)
_YES_NO_FILLER = frozenset(
    "senor senora senorita por favor gracias please thanks thank you that that's thats is it es "
    "eso asi esta bien de acuerdo i do ma'am maam sir bueno well uh huh lo quiero it's its for "
    "now not yet todavia ahorita ahora im i'm good mal isn't pues hombre que".split()
)
_AGENT_NOUNS = (
    r"(asesor|asesora|agente|persona|humano|operador|operadora|supervisor|alguien|ejecutivo|"
    r"representante|senorita|agent|person|human|representative|operator|someone|somebody|"
    r"supervisor|manager|rep)"
)
_AGENT_PATTERNS = (
    re.compile(
        r"\b(hablar|comunicar|comunicarme|comuniqueme|comunicame|comunica|pasar|pasarme|paseme|"
        r"pasame|transferir|transferirme|transfiera|transfierame|transfiereme|atienda|atender|"
        r"conectar|conectarme|conecteme)\b(\s+\w+){0,4}?\s+" + _AGENT_NOUNS + r"\b"
    ),
    re.compile(r"\b(quiero|necesito|deme|dame)\s+(un|una|a)\s+" + _AGENT_NOUNS + r"\b"),
    re.compile(
        r"\b(talk|speak|transfer|connect|put me through|get me|give me)\b(\s+\S+){0,4}?\s+"
        + _AGENT_NOUNS
        + r"\b"
    ),
    re.compile(
        r"\b(want|need)\s+(a|an)\s+(real |live )?(agent|person|human|representative|"
        r"operator)\b"
    ),
    re.compile(
        r"^(un |una |a |an |el |the |a real |a live |live |real )?"
        r"(asesor|agente|operador|humano|persona|agent|operator|representative|human|"
        r"person)( por favor| please| ya| now)?$"
    ),
)
# "No sé" is not "no": the caller does not know, which the dialog must treat as no answer.
_UNSURE = re.compile(
    r"^(pues |eh |uh |um |hmm |mm )?(no se|no lo se|no sabria|ni idea|no estoy seguro|no estoy "
    r"segura|quien sabe|i don't know|i dont know|dunno|not sure|i'm not sure|im not sure|"
    r"no idea)( la verdad| really| honestly)?$"
)
# Sounds and bare questions back that answer nothing ("hmm", "mmm", "eh?", "y eso?", "what?",
# "depende"): at a question whose yes books something they are asked again, never read as a yes
# or a no. "mhm", "mm hmm" and "uh huh" are yeses and never reach this.
_HESITANT = re.compile(
    r"^((y|and|pues|bueno|well|so|oh|ah|a+h+|u+m+|u+h+|e+h+|e+m+|h+m+|m{2,}|ok|okay)\s+)*"
    r"(h+m+|m{2,}|e+h+|e+m+|u+m+|u+h+|a+h+|huh|what|que|como|mande|perdon|sorry|pardon|y eso|"
    r"and that|y entonces|and then|entonces|depende|eso depende|it depends|that depends)$"
)
# Sounds a yes may open with when it is asked back ("umm ok?").
_HESITANT_LEAD = re.compile(r"^((a+h+|u+m+|u+h+|e+h+|e+m+|h+m+|m{2,}|pues|well)\s+)+")
_NEGATED = re.compile(r"\b(no|dont|don't|do not|not|never|nunca)\b(\s+\w+){0,2}\s*$")
_MACHINE = re.compile(r"\b(maquina|robot|grabadora|machine|bot)\b")


def _explicit_agent_request(text: str) -> bool:
    """Return True when a clause asks for a person and is not negated ("no, un asesor" asks)."""
    for clause in re.split(r"[,.;:!?¿¡]+", text):
        norm = normalise(clause)
        for pattern in _AGENT_PATTERNS:
            match = pattern.search(norm)
            if match and not _NEGATED.search(norm[: match.start()]):
                return True
    return False


# A thumbs up, an OK hand or a check mark is a yes on WhatsApp and SMS; a thumbs down or a cross
# a no. Skin tones and repeats ("👍🏻", "👍👍") change nothing; words around it must be a bare
# yes or no agreeing with it ("👍 gracias", "si 👍"), never a request ("👍 pero en 6 cuotas").
_YES_EMOJI = frozenset("\U0001f44d\U0001f44c\u2705\u2714\u2611\U0001f197")
_NO_EMOJI = frozenset("\U0001f44e\u274c\u2716")


def _emoji_yes_no(text: str, norm: str) -> str | None:
    """Return ``affirm`` for a 👍, 👌 or ✅ said alone or with a bare yes, ``deny`` for 👎 or ❌."""
    marks = {ch for ch in text if ch in _YES_EMOJI or ch in _NO_EMOJI}
    answer = "affirm" if marks <= _YES_EMOJI else "deny" if marks <= _NO_EMOJI else None
    if not marks or answer is None:
        return None
    words = norm.split()
    if len(words) > 6 or any(w not in _AFFIRM_CORE | _DENY_CORE | _YES_NO_FILLER for w in words):
        return None
    return answer if _yes_no(norm) in (None, answer) else None


def emoji_answer(text: str) -> str | None:
    """Return ``affirm`` or ``deny`` for a yes or no said with emoji (👍, ✅, 👎, ❌), else None."""
    return _emoji_yes_no(text, normalise(text))


def hesitates(text: str) -> bool:
    """Return True for a hesitation or a question back that answers nothing: "hmm", "mmm",
    "eh?", "y eso?", "what?", "no sé", "depende", or a yes asked back ("ajá?", "umm ok?")."""
    norm = normalise(text)
    if not norm or _UNSURE.match(norm):
        return bool(norm)
    asked = text.strip().endswith("?")
    bare = _yes_no(norm) or _yes_no(_HESITANT_LEAD.sub("", norm))
    if bare is not None:
        return asked and bare == "affirm"
    return bool(_HESITANT.match(norm))


def _yes_no(norm: str) -> str | None:
    words = norm.replace("uh huh", "aja").replace("mm hmm", "aja").split()
    if not words or len(words) > 6:
        return None
    known = _AFFIRM_CORE | _DENY_CORE | _YES_NO_FILLER
    if any(w not in known for w in words):
        return None  # "no se" (I don't know), "no puedo pagar": not a bare yes or no
    if any(w in _DENY_CORE for w in words):
        return "deny"  # "claro que no" is a no, whatever came first
    if any(w in _AFFIRM_CORE for w in words):
        return "affirm"
    return None


# --- A topic named and nothing more -------------------------------------------------------------

# Names of a topic that mean one thing in a customer's mouth. They decide only when the utterance
# says nothing else ("payment plan please", "quiero un acuerdo de pago", "saldo", "my bill");
# longer sentences ("I already have a payment plan and ...") are the classifier's to read. A
# bare word gives the classifier too little text: "saldo" scored higher as a yes than as a
# balance question. The first pattern that matches wins, so debt plans come before plans.
_TOPIC_NAMES = (
    (
        "debt_negotiation",
        re.compile(
            r"\b(payment|install?ment|repayment) (plan|arrangement|agreement)s?\b|"
            r"\b(plan|planes|acuerdo|acuerdos|convenio|convenios) de (pago|pagos)\b|"
            r"\b(financiacion|refinanciacion) de (la |mi )?deuda\b|"
            r"\b(pagar |pago |en )?(cuotas|install?ments)\b"
        ),
    ),
    (
        "payment_link",
        re.compile(r"\b(link|enlace|liga) (de|para) (pago|pagar)\b|\bpayment link\b"),
    ),
    (
        "payment_how",
        re.compile(
            r"\b(medios|canales|puntos|formas|metodos) de pago\b|"
            r"\bpayment (methods|options|locations)\b"
        ),
    ),
    (
        "billing_inquiry",
        re.compile(
            r"\b(saldo|balance|factura|bill|invoice|statement)\b|"
            r"\bestado de cuenta\b|\baccount balance\b"
        ),
    ),
    (
        "connection_problem",
        re.compile(
            r"\b(sin|no) (internet|senal|servicio de internet|signal)\b|"
            r"\b(internet|wifi) (lento|caido|down|slow)\b|\bslow (internet|wifi)\b"
        ),
    ),
    (
        "cancellation",
        re.compile(
            r"\b(cancelar|cancelacion|cancel|cancellation)( (del|de|el|mi|my|the))?"
            r"( (servicio|plan|contrato|service|contract|account))?\b|"
            # "La baja", "dar de baja": leaving, never a yes (a bare "baja" scored as one).
            r"\b((dar|darme|darlo|darla|darnos) de |la )?baja( (del|de|el|mi))?"
            r"( (servicio|plan|contrato|linea))?\b"
        ),  # not "cancelar la cuenta": in Colombia that is also paying the bill
    ),
    ("product_info", re.compile(r"\b(planes|plans|promociones|promotions|ofertas|offers)\b")),
    ("complaint", re.compile(r"\b(queja|reclamo|pqr|complaint)\b")),
)
# "Cancelar la deuda" is paying it off in Latin American Spanish ("cancelar" a bill is paying
# it), never leaving the company; so are "saldar / liquidar la deuda", "pay off / settle / clear
# / cancel my debt". Decided in any sentence that does not also name the service or the line.
# A plain "pagar" / "pay" is left to the model: "pay my debt" alone asks how to pay.
_PAY_OFF_DEBT = re.compile(
    r"\b(cancelar|cancelarles|cancelarle|saldar|liquidar|abonar a|"
    r"ponerme al dia con|quedar a paz y salvo con)\s+(toda |todo |de una vez |ya )?"
    r"(la |las |mi |mis |el |lo |esta |esa |su )?(toda |todo )?"
    r"(deuda|deudas|saldo pendiente|saldo vencido|saldo en mora|mora|que (le |les )?debo|"
    r"que (le |les )?debemos)\b|"
    r"\b(pay off|settle|clear|cancel|pay down)\s+(the |my |all my |all of my |this |"
    r"that |our )?(debt|debts|outstanding balance|overdue balance|past due balance|arrears|"
    r"what i owe)\b"
)
# Money offered to pay all at once ("tengo 400 mil, pago todo de una vez", "le doy 300 de
# contado y quedo a paz y salvo") is a debt counter-offer, never a payment already made.
_PAY_AT_ONCE = re.compile(
    r"\b(pago|pagar|pagaria|pagarlo|pagarla|doy|daria)( \w+){0,2}? (de una vez|de una|de contado|"
    r"en un solo pago)\b|\bpaz y salvo\b|\b(pay|settle)( \w+){0,2}? (all at once|in full|in one "
    r"payment|as a lump sum)\b"
)
_PAID_BEFORE = re.compile(
    r"\b(pague|pagamos|pagado|abone|consigne|transferi|hice un pago|hice una transferencia|paid|"
    r"made a payment)\b"
)
# "no he pagado", "no pagué el mes pasado", "I haven't paid": words that deny the payment.
_NOT = frozenset("no nunca jamas not never haven't havent hasn't hasnt didn't didnt".split())


def paid_before(norm: str) -> bool:
    """Return True when normalised text says a payment was already made ("ya pagué", "I paid
    yesterday"), not when it denies one ("no he pagado", "I haven't paid")."""
    return any(
        not _NOT.intersection(norm[: found.start()].split()[-3:])
        for found in _PAID_BEFORE.finditer(norm)
    )


# "ya pagué 100 mil, quiero saldar el resto": the payment is checked, then the rest negotiated.
_REST_OWED = re.compile(
    r"\b(el resto|lo restante|el saldo restante|lo que (me )?(falta|queda)|the rest|what'?s left|"
    r"the remain\w*)\b"
)
# "No quiero pagar la deuda, no la reconozco" disputes it: the model reads those.
_REFUSE_DEBT = re.compile(
    r"\b(no (quiero|voy a|pienso|reconozco|debo)|don'?t want to|won'?t|refuse to|not going to)\b"
)
_SERVICE_NAMED = re.compile(
    r"\b(servicio|plan|contrato|linea|internet|suscripcion|service|contract|line|subscription)\b"
)
_TOPIC_FILLER = frozenset(
    "a an the my for please plz pls i i'd id want need would like to get set up make can have "
    "could we about hi hello hey un una el la mi por favor quiero quisiera necesito hacer tener "
    "sacar solicitar pedir hola buenas buenos dias tardes noches me gustaria puedo podria sobre "
    "info information informacion de del lo los".split()
)


def _topic_named(norm: str) -> tuple[str, str] | None:
    """Return the intent and the phrase when ``norm`` is only an unambiguous topic name."""
    for intent, pattern in _TOPIC_NAMES:
        match = pattern.search(norm)
        if match is None:
            continue
        rest = (norm[: match.start()] + " " + norm[match.end() :]).split()
        if all(word in _TOPIC_FILLER for word in rest):
            return intent, match.group(0)
    return None


# --- Requests the dialog must not lose ----------------------------------------------------------

# A charge the customer disputes: charged twice, a charge they do not recognise, a wrong amount.
# "¿Por qué me llegó tan cara la factura?" asks why the bill changed (the balance answer
# explains it); these say the company got it wrong and need a person with the charges.
_DISPUTES = (
    (
        "double_charge",
        re.compile(
            r"\b(cobraron|cobran|cobro|cobrado|cobrando|cargaron|cargado|facturaron|debitaron|"
            r"descontaron)( \w+){0,4}? (doble|dos veces|2 veces|repetid[oa])\b|"
            r"\b(cobros?|cargos?|debitos?|pagos?) (doble|duplicad[oa]s?|repetid[oa]s?)\b|"
            r"\b(doble|dos|2) (cobros?|cargos?|debitos?)\b|"
            r"\b(charged|billed|debited)( me| us)?( \w+){0,3}? (twice|double|two times|2 times)\b|"
            r"\b(double|duplicate|duplicated|two|2) (charges?|charged|billing|debits?)\b"
        ),
    ),
    (
        "unrecognised",
        re.compile(
            r"\bno (reconozco|reconocemos|conozco)( \w+){0,3}? (cobros?|cargos?|debitos?|valor)\b|"
            r"\b(cobros?|cargos?|debitos?) (que )?no (reconozco|autorice|hice)\b|"
            r"\b(don'?t|do not|didn'?t|did not) (recogni[sz]e|authori[sz]e)( \w+){0,3}? "
            r"(charges?|debits?|payments?|amount)\b|"
            r"\bunrecogni[sz]ed (charges?|debits?|payments?)\b|\bcharges? i (don'?t|do not) "
            r"recogni[sz]e\b"
        ),
    ),
    (
        "wrong_amount",
        re.compile(
            r"\b(cobraron|cobrando|cobran|facturaron) (de mas|mal|demasiado)\b|"
            r"\b(cobro|valor|monto|cargo) (equivocado|errado|incorrecto|indebido|de mas)\b|"
            r"\b(overcharged|over charged|overbilled|over billed)\b|"
            r"\b(wrong|incorrect) (amount|charge|bill|invoice)\b"
        ),
    ),
)
# A copy of an invoice, asked to be sent ("copia de mi factura de octubre", "send me my bill").
_INVOICE_COPY = re.compile(
    r"\b(copia|duplicado|segunda via)s? (de |del )?(la |mi |el |una )?(ultima )?"
    r"(factura|recibo|cuenta de cobro|estado de cuenta)\b|"
    r"\b(mandar|mandan|mandame|mandenme|manden|enviar|envian|envien|enviame|envienme|reenviar|"
    r"reenvien|reenvienme)( me)?( \w+){0,2}? (factura|recibo)\b|"
    r"\bno (me )?(ha |han )?(llegado|llego|llegaron) (la |mi |el )?(factura|recibo)\b|"
    r"\b(factura|recibo)( \w+){0,3}? no (me )?(ha |han )?(llegado|llego)\b|"
    r"\b(bill|invoice|statement)( \w+){0,4}? (never|didn'?t|did not|hasn'?t|has not) "
    r"(came|come|arrived|arrive)\b|"
    r"\bno (he|hemos) recibido (la |mi |el )?(factura|recibo)\b|"
    r"\b(haven'?t|have not|didn'?t|did not|never) (received|got|gotten|get|receive) "
    r"(my |the |a |this month'?s |last month'?s )?(bill|invoice|statement)\b|"
    r"\b(copy|duplicate|pdf) of (\w+ ){0,3}?(bill|invoice|statement)\b|"
    r"\b(send|email|e mail|text|resend|forward|mail)( me)? (a copy of )?(my |the )?"
    r"(last )?(bill|invoice|statement)\b"
)
# Why the bill went up: "¿por qué me llegó tan cara?", "subió la factura", "why is my bill so
# high", "my bill went up". The answer explains what changed on each account.
_BILL_WENT_UP = re.compile(
    r"\b(llego|llegaron|vino|vinieron|esta|estan|salio|salieron|es|son|viene|vienen)( \w+){0,3}? "
    r"(tan|muy|mas|bien|super|re) (cara|caro|caras|caros|costosa|costoso|alta|alto|elevada|"
    r"elevado)\b|"
    r"\b(por ?que|pq|xq|porq) (me )?(cobran|cobraron|cobra|cobro) (tanto|tan caro|mas)\b|"
    r"\b(subio|subieron|aumento|aumentaron|incremento|se subio|se disparo)( \w+){0,3}? "
    r"(factura|facturas|recibo|recibos|cuenta|cuentas|cobro|valor|mensualidad|pago)\b|"
    r"\b(factura|facturas|recibo|recibos|cuenta|cuentas|mensualidad|cobro)( \w+){0,3}? "
    r"(subio|subieron|aumento|aumentaron|mas caras?|mas caros?|mas altas?|mas altos?)\b|"
    r"\b(bill|bills|invoice|statement|charges?)( \w+){0,3}? (so|too|this|that|really|much|way) "
    r"(high|expensive|big|much)\b|"
    r"\b(bill|bills|invoice|statement|charges?)( \w+){0,3}? (went up|go up|gone up|increased|"
    r"higher|jumped|doubled|more expensive)\b|"
    r"\b(why|how come)( \w+){0,5}? (so high|so much|so expensive|more than usual|higher|went up|"
    r"increase\w*)\b"
)
# Abuse or an accusation of theft: the customer needs a person now, whatever the bot asked.
_ABUSE = re.compile(
    r"\b(hijueputa\w*|hijoeputa\w*|hp+tas?|hijos? de (su )?puta|malparid\w*|gonorreas?|"
    r"ladrones|rateros|estafadores|sinverguenzas|pendejos|imbeciles|mierda|cabrones|culeros|"
    r"thieves|crooks|scammers|fuck\w*|shit\w*|bastards|assholes|bullshit)\b|"
    r"\b(me|nos) (estan|esta|siguen) (robando|estafando)\b|\b(es|esto es) un (robo|atraco)\b|"
    r"\b(you'?re|you are|they'?re|they are) (robbing|stealing from|scamming|ripping) (me|us)\b|"
    r"\b(rip ?off|a scam)\b"
)
# Indignation about the service ("esto es una vergüenza, llevo 3 días sin internet", "this is
# a disgrace"): a complaint, whatever else it names; "qué vergüenza con usted" (sorry) is not.
_INDIGNATION = re.compile(
    r"\b(esto|eso|es|esta|me parece) (es )?(una (verguenza|burla)|el colmo|inaceptable|un abuso)\b|"
    r"\bque verguenza (de|con este|con esta|con ese|con esa) (servicio|empresa|atencion)\b|"
    r"\b(this|that|it)( is|'s) (a disgrace|ridiculous|outrageous|unacceptable|a joke)\b|"
    r"\b(what|such) a disgrace\b"
)
# A question about the payment agreement already made: "¿qué acuerdo hice?", "¿cuál es mi
# acuerdo de pago?", "¿cuándo pago la primera cuota del acuerdo?", "what did I agree to?", "when
# is my first payment?". The debt flow tells the agreement in force instead of new offers.
AGREEMENT_ASKED = re.compile(
    r"\b(?:que|cual|cuales|como) (?:es |son |fue |era )?(?:el |los |mi |mis )?acuerdos?\b|"
    r"\bacuerdos? (?:de pago )?(?:que )?(?:hice|hicimos|tengo|tenemos|quedamos|acordamos|"
    r"registr\w*|firm\w*)\b|\b(?:mi|mis) acuerdos?(?: de pago)?(?: activos?)?$|"
    r"\b(?:que|cuanto|cuando) (?:fue lo que )?(?:acorde|acordamos)\b|"
    r"\bcuando (?:pago|tengo que pagar|debo pagar|vence|es|toca) (?:la |mi )?(?:primera|"
    r"proxima|siguiente) cuota\b|\bcuanto (?:debo|tengo que|hay que) pagar primero\b|"
    r"\bcuanto es (?:la|mi) (?:primera|proxima|siguiente) cuota\b|"
    r"\bhow much is (?:my|the) (?:first|next) (?:payment|instal+ment)\b|"
    r"\bwhat (?:did|have) (?:i|we) agreed?\b|\bwhat(?: is| was|'?s) (?:my|the) (?:payment )?"
    r"(?:agreement|arrangement|plan i agreed)\b|\bwhen (?:is|do i pay|should i pay|must i pay) "
    r"(?:my |the )?(?:first|next) (?:payment|instal+ment)\b"
)
# Negotiating what is owed, typos and all ("qiero negociar lo q debo", "arreglar mi deuda").
_NEGOTIATE_DEBT = re.compile(
    r"\b(negociar|negocear|renegociar|arreglar|cuadrar|refinanciar|financiar|acordar)"
    r"( \w+){0,2}? (la deuda|mi deuda|las deudas|mis deudas|la mora|mi mora|"
    r"lo (que|q|k) (le |les )?(debo|debemos|adeudo))\b|"
    r"\b(negotiate|renegotiate|work out|sort out)( \w+){0,2}? (my |the |our )?"
    r"(debt|arrears|what i owe|what we owe)\b"
)
# Keeping the service, said after asking to cancel: "mejor no cancelo", "que NO lo cancelen",
# "me quedo" said alone (not "me quedo sin internet"), "me arrepentí", "I changed my mind, don't
# cancel it". A negation just before the verb counts ("no, cancélalo" does not keep anything);
# money words make it a debt ("no puedo cancelar la deuda"), never a service kept.
_KEEP_SERVICE = re.compile(
    r"\b(no|nunca|ya no)( \w+){0,3}? (cancel\w*|dar de baja|darlo de baja|darme de baja)\b|"
    r"^((bueno|ok|okay|pues|entonces|mejor|si|vale|listo|ya) )*me quedo"
    r"( (entonces|pues|mejor|gracias|asi|nomas))*$|"
    r"\b(me arrepenti|cambie de opinion|mejor me quedo|me quedo con ustedes|sigo con ustedes|"
    r"(anular|anulen|cancelar|cancelen|reversar|retirar|retiro) (la |mi |esa )?"
    r"(solicitud de )?cancelacion)\b|"
    r"\b(don'?t|do not|not|never|no longer)( \w+){0,3}? (cancel\w*)\b|"
    r"\b(changed my mind|i'?ll stay|i will stay|i want to stay|keep my (service|account|plan|line)|"
    r"(undo|withdraw|reverse|stop) (the |my )?cancel\w*)\b"
)
# A clause that asks to cancel ("no, quiero cancelar": the "no" answers something else).
_CANCEL_ASKED = re.compile(
    r"^(si |ok |pues )?(quiero|quisiera|necesito|deseo|voy a|vamos a|please|i want to|i'?d like "
    r"to|i need to|i wanna|go ahead and)?( \w+)?? ?(cancel\w*|dar de baja|darlo de baja|"
    r"darme de baja)\b"
)
_MONEY_WORDS = re.compile(
    r"\b(deuda|deudas|factura|saldo|mora|cuota|cuotas|debt|bill|balance|invoice|arrears)\b"
)
_EMAIL = re.compile(r"\b(correo|email|e mail|mail|gmail|hotmail)\b")
# Not asking to cancel, then asking something else: "no quiero cancelar, solo saber el saldo",
# "I don't want to cancel, just tell me how much I owe". Only a refusal to cancel counts ("no me
# dejan cancelar" wants to cancel); the service it names goes with it.
_NOT_CANCELLING = re.compile(
    r"\b(no|ya no) (quiero|quisiera|deseo|necesito|voy a|pienso|busco|es para|era para)"
    r"( \w+)?? (cancelar|dar de baja|darlo de baja|darme de baja|retirarme)|"
    r"\bno (cancelo|cancelen|canceles|me den de baja)|"
    r"\b(don'?t|do not|not|no longer|never) (want|need|wish|looking|trying|going|calling)"
    r"( \w+)?? to cancel|\bi'?m not cancel\w*"
)
_NOT_CANCELLING_OBJECT = re.compile(
    r"^ (nada|el|mi|la|los|the|my|anything)( (servicio|plan|contrato|linea|cuenta|internet|"
    r"service|contract|line|account|subscription))?(?!\w)"
)
# A negation just before a verb, with at most a pronoun or an auxiliary between: "no me
# cobraron", "no me han cobrado", "I wasn't", "you have not". "No sé por qué me cobraron" and "no
# entiendo, me cobraron doble" deny nothing.
_DENIED = re.compile(
    r"\b(no|not|never|nunca|jamas|wasn'?t|weren'?t|didn'?t|haven'?t|hasn'?t|isn'?t|aren'?t)"
    r"( (me|nos|le|les|te|lo|la|han|ha|he|hemos|fue|fui|been|was|were|ever|us))* ?$"
)
# A problem or a complaint denied: "no tengo problemas con el internet", "ya no tengo ninguna
# falla", "no es un problema de internet", "I don't have a problem with my internet", "I have no
# complaint", "nothing is wrong with my internet", "my internet is fine".
_PROBLEM_DENIED = re.compile(
    r"\b(ya )?no (tengo|tenemos|hay|es|son) (ningun |ninguna |un |una |algun |alguna )?"
    r"(problemas?|fallas?|quejas?|reclamos?|inconvenientes?|dano|danos)"
    r"( (con|de|del|en) (el |la |mi |los |las )?\w+)?|"
    r"\b(don'?t|do not|doesn'?t|does not|didn'?t) (have|has) (a |any |an )?"
    r"(problems?|issues?|complaints?|trouble)( (with|on|about) (the |my )?\w+)?|"
    r"\b(have|has|there'?s|there is) (no|not any) (problems?|issues?|complaints?|trouble)"
    r"( (with|on|about) (the |my )?\w+)?|"
    r"\bnothing('?s| is)? wrong with (the |my )?\w+|"
    r"\b(the |my )?(internet|wifi|service|connection|signal) (is|works) (fine|ok|okay|good)\b|"
    r"\b(el |mi )?(internet|wifi|servicio|senal) (esta|funciona) bien\b"
)
# What cancelling costs asked ("¿cuánto me cobran por cancelar?", "¿hay multa por cancelar?",
# "is there a cancellation fee?"): a question the knowledge base answers, never a cancellation
# or a balance asked.
_CANCELLATION_FEE = re.compile(
    r"\b((cuanto|que) (me |nos )?(cobran|cobrarian|cuesta|costaria|vale|sale|saldria)"
    r"( \w+)?? (por |el )?(cancelar|cancelacion|dar de baja|darme de baja)|"
    r"(multa|cargo|cobro|penalidad|penalizacion|costo) (por|de|para) (cancelar|cancelacion|"
    r"la cancelacion|dar de baja|darme de baja)|"
    r"cancellation (fee|charge|penalty|cost)s?|early termination fee|"
    r"(cost|charge|fee|penalty|pay)( \w+)?? (to|for) cancel(l?ing)?)\b"
)
# What is owed asked in words no topic name covers ("cuánto debo", "how much do I owe").
_OWED_ASKED = re.compile(
    r"\b(cuanto|que) (debo|le debo|les debo|tengo que pagar)\b|"
    r"\b(how much|what) (do )?i (owe|have to pay)\b"
)
# Month names that are also everyday words ("may", "mar") count only after "de", "of", "in".
_AMBIGUOUS_MONTHS = frozenset({"may", "mar", "jun", "jul", "dec", "sep", "sept", "jan", "oct"})


def billing_dispute(norm: str) -> str | None:
    """Return the kind of charge ``norm`` disputes (double_charge, unrecognised, wrong_amount);
    a charge denied ("no me cobraron doble", "I wasn't overcharged") disputes none."""
    for kind, pattern in _DISPUTES:
        if any(not _DENIED.search(norm[: m.start()]) for m in pattern.finditer(norm)):
            return kind
    return None


def denies_problem(norm: str) -> bool:
    """Return True when ``norm`` says the service has no problem ("el internet funciona bien",
    "the internet works fine", "no tengo problemas con el internet"): never a fault to fix."""
    return bool(_PROBLEM_DENIED.search(norm))


def besides_denied(norm: str) -> tuple[str, str] | None:
    """Return the request (intent and phrase) a message makes besides a problem it denies ("no
    tengo problemas con el internet, quiero saber mi saldo", "I don't have a problem with my
    internet, I want my balance"), or None."""
    denial = _PROBLEM_DENIED.search(norm)
    if denial is None:
        return None
    rest = f"{norm[: denial.start()]} {norm[denial.end() :]}"
    if owed := _OWED_ASKED.search(rest):
        return "billing_inquiry", owed.group(0)
    for intent, pattern in _TOPIC_NAMES:
        if intent not in ("connection_problem", "complaint") and (named := pattern.search(rest)):
            return intent, named.group(0)
    return None


def besides_refusal(norm: str) -> str | None:
    """Return what a message says besides refusing to cancel, the service it names left out
    ("no quiero cancelar el plan, solo bajarlo" -> "solo bajarlo"); None when it refuses no
    cancellation."""
    refusal = _NOT_CANCELLING.search(norm)
    if refusal is None:
        return None
    after = _NOT_CANCELLING_OBJECT.sub("", norm[refusal.end() :], count=1)
    return f"{norm[: refusal.start()]} {after}".strip()


def besides_cancelling(norm: str) -> tuple[str, str] | None:
    """Return the request (intent and phrase) a message makes after saying it does not want to
    cancel ("no quiero cancelar, solo saber el saldo"), or None."""
    rest = besides_refusal(norm)
    if rest is None:
        return None
    if owed := _OWED_ASKED.search(rest):
        return "billing_inquiry", owed.group(0)
    for intent, pattern in _TOPIC_NAMES:
        if intent != "cancellation" and (named := pattern.search(rest)):
            return intent, named.group(0)
    return None


def keeps_service(text: str) -> bool:
    """Return True when ``text`` says the customer keeps the service after all: a clause says
    so and no clause asks to cancel ("no, quiero cancelar" asks) or asks something else ("no
    quiero cancelar, solo saber cuánto debo" is a question, not a cancellation taken back)."""
    clauses = [c for c in (normalise(part) for part in re.split(r"[,.;:!?¡¿]+", text)) if c]
    if any(_MONEY_WORDS.search(c) or _CANCEL_ASKED.search(c) for c in clauses):
        return False
    if besides_cancelling(normalise(text)) is not None:
        return False
    return any(_KEEP_SERVICE.search(c) for c in clauses)


def month_named(text: str) -> int | None:
    """Return the month (1-12) a request names by its name ("la factura de octubre")."""
    norm = normalise(text)
    for word, month in _MONTHS.items():
        guard = r"\b(?:de|of|in|for) " if word in _AMBIGUOUS_MONTHS else ""
        if re.search(rf"{guard}\b{word}\b", norm):
            return month
    return None


def _request_entities(text: str) -> dict[str, Any]:
    """Return what a billing request asks beyond the balance, and a service kept."""
    norm = normalise(text)
    found: dict[str, Any] = {}
    if (kind := billing_dispute(norm)) is not None:
        found["billing_dispute"] = kind
    elif _INVOICE_COPY.search(norm):
        found["invoice_copy"] = "email" if _EMAIL.search(norm) else "sms"
    elif _BILL_WENT_UP.search(norm):
        found["bill_change"] = True
    if keeps_service(text):
        found["keep_service"] = True
    return found


# --- Leaving the company, and several requests in one message ------------------------------------

# Leaving as customers text it, typos and all: a cancel verb with the service it ends ("kiero dar
# de baja el internet", "qiero cansel ar el servisio", "quiero cancelar las dos lineas", "cancel
# my line"), moving the number ("quiero hacer portabilidad", "quiero portarme", "I want to port my
# number out") or going to a competitor ("me voy a otra compañía", "im switching to another
# carrier", "I'm leaving you guys"). The model gave these 0.27-0.58 and the customer was asked
# which topic they meant. Never a cancel verb on a bill, a debt, a payment plan or a visit
# ("cancelar la factura" / "la deuda" is paying it, "cancelar el plan de pagos", "cancelar la
# visita técnica", "cancel my appointment").
_CANCEL_VERB = (
    r"(?:[ck]an[cs]el+(?: ?ar|en|a|e|ing)?(?:lo|la|los|las|me)?|cancelacion|cancellation|"
    r"(?:dar|darme|darlo|darla|darle|darles|darnos|den|denme|dame|deme) de baja|(?:la|una) baja|"
    r"retirar|retirarme|retiro|terminar|terminen|finalizar|terminate|discontinue|close)"
)
_OWN_WORDS = (
    r"(?: (?:el|la|los|las|lo|mi|mis|su|sus|del|de|al|todo|toda|todos|todas|ambos|ambas|dos|2|"
    r"tres|3|my|the|this|that|these|those|our|your|all|both|two|of))"
)
_SERVICE_WORDS = (
    r"(?:internet|servicio|servicios|servisio|servisios|sevicio|linea|lineas|plan|planes|celular|"
    r"celulares|movil|tv|television|cable|contrato|suscripcion|telefono|fijo|paquete|numero|"
    r"wifi|service|services|servise|line|lines|phone|contract|account|subscription|number)"
)
_NOT_A_SERVICE_AFTER = (
    r"(?! (?:de|del|para) (?:pago|pagos|financiacion|credito|cuotas|la visita)\b| tecnic\w*"
    r"| (?:call|appointment|visit|request|order|technician|payment)s?\b)"
)
_LEAVING = re.compile(
    rf"\b{_CANCEL_VERB}{_OWN_WORDS}{{0,3}} {_SERVICE_WORDS}\b{_NOT_A_SERVICE_AFTER}|"
    rf"\b(?:want|need|like|get) (?:my|the|our|all my) {_SERVICE_WORDS} "
    r"(?:cancell?ed|terminated|shut off|closed)\b|"
    r"\bportabilidad\b|\bportar(?:me|nos)?\b(?: (?:mi|el|la) (?:numero|linea))?|"
    r"\bport(?:ing)? (?:out )?(?:my |the |our )?(?:number|line|phone|numero)(?: out)?\b|"
    r"\bport out\b|"
    r"\b(?:me|nos) (?:(?:quiero|queremos|voy a|vamos a|pienso|vamos|voy) )?(?:voy|vamos|paso|"
    r"pasamos|pasar|cambio|cambiamos|cambiar|ir|ire|pasare|cambiare|largo) (?:a|para|con|pa) "
    r"(?:(?:otra|otro|una nueva|un nuevo) (?:compania|empresa|operador|operadora|proveedor|"
    r"prestador|marca|red)|la competencia)\b|"
    r"\bcambiar(?:me|nos)? de (?:compania|empresa|operador|operadora|proveedor)\b|"
    r"\b(?:switch|switching|moving|move|going|go|changing|change|leaving|porting|port)(?: over)? "
    r"to (?:another|a different|a new|a cheaper|other|the competition'?s?|a competitor'?s?)"
    r"(?: \w+)? (?:carrier|provider|company|operator|network|isp)s?\b|"
    r"\bswitch(?:ing)? (?:carriers|providers|companies|operators|networks)\b|"
    r"\b(?:leaving|to leave|leave) (?:you|you guys|y'?all|your company|this company)\b"
)
# Moving a number in from elsewhere is joining, not leaving ("portabilidad hacia ustedes").
_PORT_IN = re.compile(
    r"\b(?:a|hacia|con|para) ustedes\b|\btraer(?:me)?\b|\bport(?:ing)? (?:it |my number )?in\b|"
    r"\b(?:to|with) (?:you|your company|your network)\b|\bbring\b"
)
# Leaving the company said without a service or a competitor: "me quiero ir de la empresa", "ya
# no quiero seguir con ustedes", "I don't want to be with you anymore". Written to a telecom's
# contact center, it is a customer leaving; coming from another company to this one ("me quiero
# ir de la empresa X a ustedes") or leaving a job ("...de la empresa donde trabajo") is not.
_LEAVING_US = re.compile(
    r"\b(?:(?:me|nos) (?:quiero|queremos|voy a|vamos a|pienso|pensamos) (?:ir|salir|retirar)|"
    r"(?:quiero|queremos) (?:irme|irnos|salirme|salirnos|retirarme|retirarnos)|"
    r"(?:me|nos) (?:voy|vamos|salgo|salimos|retiro|retiramos)) de (?:la|esta|su|tu) "
    r"(?:empresa|compania)\b|"
    r"\b(?:ya )?no (?:quiero|queremos|deseo|deseamos) (?:seguir|continuar|estar) (?:con ustedes|"
    r"con (?:la|esta|su) (?:empresa|compania)|siendo (?:su )?cliente)\b|"
    r"\b(?:ya )?no (?:quiero|queremos) ser (?:su |sus )?clientes?\b|"
    r"\b(?:don'?t|do not|no longer) want to (?:stay|continue|be) with (?:you|you guys|your "
    r"company)\b|\b(?:don'?t|do not|no longer) want to be (?:your|a) customer\b"
)
_NOT_LEAVING_US = re.compile(
    r"\b(?:a|hacia|para|pa) (?:ustedes|su empresa|su compania)\b|"
    r"\b(?:pas\w*|ven\w*|cambi\w*) con ustedes\b|\b(?:to|join) (?:you|your company)\b|"
    r"\btrabaj\w*|\bempleo\b|\bwork\w*|\bjob\b"
)
# A negation shortly before: "no quiero dar de baja el internet", "I'm not switching to...";
# or done already: "ya cancelé el servicio (y me siguen cobrando)" is no request to leave.
_LEAVING_NEGATED = re.compile(
    r"\b(?:no|nunca|jamas|ni|tampoco|not|never|don'?t|dont|won'?t|wont|isn'?t|aren'?t|"
    r"wouldn'?t|no longer)\b(?: \S+){0,3} ?$|\b(?:ya|already)(?: \S+)? ?$"
)
# A technician's visit asked for: "quiero una visita técnica", "necesito que venga un técnico",
# "can you send a technician": a connection problem (the guide first, then the technical team
# with what was tried). Never the retention offer's preventive visit taken, a visit that did
# not come (a complaint) or one refused.
_VISIT_ASKED = re.compile(
    r"\b(?:visita|revision|servicio) tecnic[oa]\b|"
    r"\b(?:venga|vengan|venir|manden|mandar|mandenme|envien|enviar|envienme|agendar|agenden|"
    r"agendarme|programar|programen|necesito|quiero|pedir|solicitar|solicito)\b(?: \w+){0,3}? "
    r"tecnicos?\b|"
    r"\b(?:send|sending|need|want|schedule|book|get|arrange|request)\b(?: \w+){0,3}? "
    r"(?:technician|tech|engineer|installer)s?\b|"
    r"\b(?:technician|technical|tech|service|home|repair) visit\b"
)
_VISIT_NOT_ASKED = re.compile(
    r"\b(?:preventiva|preventive|acepto|aceptamos|oferta|offer|accept|no vino|no llego|"
    r"no ha llegado|no ha venido|no aparecio|nunca|never|didn'?t (?:come|show)|no show|missed|"
    r"ya vino|already came|came yesterday|vino ayer|cancelar|cancel|que vino|who came|que mandaron|"
    r"you sent|queja\w*|quejarme|reclam\w*|complain\w*|denunci\w*|grosero|rude)\b"
)

# A negation of the visit itself, just before it: "no necesito que venga", "I don't need a".
_VISIT_NEGATED = re.compile(
    r"\b(?:no|not|don'?t|dont|never|nunca)\b(?: (?!solo\b|just\b|mejor\b|only\b)\S+)? ?$"
)


def visit_asked(norm: str) -> str | None:
    """Return the words that ask for a technician's visit in ``norm`` (normalised), or None."""
    asked = _VISIT_ASKED.search(norm)
    if asked is None or _VISIT_NOT_ASKED.search(norm):
        return None
    if _VISIT_NEGATED.search(norm[: asked.start()]):
        return None  # "no necesito que venga un técnico"; never "no, solo quiero el técnico"
    return asked.group(0)


# A part of a message that is money talk is about paying, never leaving ("cancelar mi deuda y
# el servicio", "I already have a payment plan and want to cancel the service").
_DEBT_TALK = re.compile(
    _MONEY_WORDS.pattern + "|" + _TOPIC_NAMES[0][1].pattern + "|" + _PAY_OFF_DEBT.pattern
)


def leaving(text: str) -> str | None:
    """Return the words saying the customer wants to leave the company ("kiero dar de baja el
    internet", "me voy a otra compañía", "I want to port my number out"), or None: never about
    a debt or a bill, the cost of cancelling, a service kept or a negated leaving."""
    if keeps_service(text):
        return None
    for clause in re.split(r"[,.;:!?¡¿]+", text):
        norm = normalise(clause)
        match = _LEAVING.search(norm)
        if (
            match is None
            or _LEAVING_NEGATED.search(norm[: match.start()])
            or _DEBT_TALK.search(norm)
            or _CANCELLATION_FEE.search(norm)
            or (match.group(0).startswith(("port", "portabilidad")) and _PORT_IN.search(norm))
        ):
            continue
        return match.group(0)
    norm = normalise(text)
    if (
        (said := _LEAVING_US.search(norm)) is not None
        and not _NOT_LEAVING_US.search(norm)
        and not _LEAVING_NEGATED.search(norm[: said.start()])
    ):
        return said.group(0)
    return None


# Where one request ends and another begins: a sentence break, a joining word ("y además",
# "also"), or a plain "y" / "and" / comma followed by words that ask ("quiero", "cuánto", "how",
# "can you"). "Quiero cancelar mi deuda y el servicio" is one request.
_SENTENCE_BREAK = re.compile(r"(?<!\d)[.;!?]+|[.;!?]+(?!\d)|[¿¡]")
_JOINERS = re.compile(
    r"\b(?:y ademas|ademas|y tambien|tambien|aparte de eso|aparte|y otra cosa|otra cosa|"
    r"por otro lado|and also|also|plus|another thing|besides that|besides|on top of that)\b"
)
_ASKING = (
    r"(?:quiero|qiero|kiero|quisiera|queria|necesito|nesesito|deseo|me gustaria|saber|"
    r"cuanto|cuanta|cuantos|cuantas|como|por ?que|porq|xq|pq|cual|cuales|me (?:pueden|puede|"
    r"podrian|podria|dicen|dices|dice|das|da)|pueden|podrian|dime|digame|"
    r"i want|i wanna|i need|i'?d like|i would like|id like|how|what|why|can you|could you|"
    r"can i|could i|would you|please|tell me|do i|i also)"
)
_REQUEST_JOIN = re.compile(rf"(?:,| y| and)(?= {_ASKING}\b)")
_SPACES_AROUND_COMMAS = re.compile(r"\s*,\s*")


def request_parts(text: str) -> list[str]:
    """Return the requests a message makes, normalised, in the order said ("quiero cancelar y
    saber cuánto debo" -> ["quiero cancelar", "saber cuanto debo"])."""
    parts: list[str] = []
    for sentence in _SENTENCE_BREAK.split(text):
        folded = _SPACES_AROUND_COMMAS.sub(", ", fold(sentence))
        for piece in _REQUEST_JOIN.split(folded):
            parts.extend(p for p in (normalise(s) for s in _JOINERS.split(piece)) if p)
    return parts


# A part that asks about something rather than for it ("cómo cancelo el servicio", "do I have
# to return the modem if I cancel my line"); "can you cancel my line" asks for it.
_QUESTION_OPENING = re.compile(
    r"(how|what|why|which|when|where|do i|does|is|are|can i|could i|if|como|que|por que|cual|"
    r"cuanto|cuanta|cuando|donde|puedo|se puede|tengo que|hay que|si)\b"
)


def request_named(part: str) -> tuple[str, str] | None:
    """Return the intent and the words of one request the rules are sure of: a topic named and
    nothing more, leaving the company, or what is owed asked ("cuánto debo")."""
    norm = normalise(part)
    if _CANCELLATION_FEE.search(norm):
        return None
    if (topic := _topic_named(norm)) is not None:
        return topic
    if (said := leaving(part)) is not None and not _QUESTION_OPENING.match(norm):
        return "cancellation", said
    if (owed := _OWED_ASKED.search(norm)) and not _LEAVING_NEGATED.search(norm[: owed.start()]):
        return "billing_inquiry", owed.group(0)
    return None


# A part that turns something down: "no quiero...", "ya no necesito...", "I don't want...".
_DECLINED = re.compile(
    r"^((y|and|pero|but|o|or) )?((ya|pues) )?(no|tampoco|nunca) (quiero|quisiera|deseo|necesito|"
    r"voy a|pienso|me interesa)\b|^((and|but|or) )?(i )?(don'?t|do not|no longer|never|won'?t) "
    r"(want|need|wish)\b"
)


def declines(part: str) -> bool:
    """Return True when one part of a message turns something down rather than asks ("no
    quiero cancelar", "no tengo problemas con el internet", "I don't want a payment plan")."""
    norm = normalise(part)
    return bool(
        _DECLINED.search(norm)
        or denies_problem(norm)
        or besides_refusal(norm) is not None
        or keeps_service(part)
    )


def _first_request_named(text: str) -> tuple[str, str] | None:
    """Return the intent and the reason of the first request the rules are sure of in a message
    that makes several, or of leaving said in a message that makes one."""
    parts = request_parts(text)
    if len(parts) < 2:
        said = leaving(text)
        return ("cancellation", f"leaving the company: {said}") if said is not None else None
    for part in parts:
        if (named := request_named(part)) is not None:
            return named[0], f"the first of several requests: {named[1]}"
    return None


# --- The tier ------------------------------------------------------------------------------------


def _keypad_rules(text: str, menu: Mapping[str, str]) -> RuleResult:
    """Read keys pressed on the keypad: a menu choice, or an identifier typed as digits."""
    keys = re.sub(r"[^\d*#]", "", text)
    if not keys:
        return RuleResult()
    entities: dict[str, Any] = {"dtmf": keys}
    if keys.rstrip("#") == AGENT_KEY:
        # 0 hands over at any point, even while digits are answers (no answer is a lone 0).
        return RuleResult(entities, "agent_request", f"dtmf key {AGENT_KEY}")
    if len(keys) == 1 or keys in menu:
        intent = menu.get(keys)
        return RuleResult(entities, intent, f"dtmf key {keys}" if intent else "")
    digits = keys.rstrip("#")
    if digits.isdigit() and 5 <= len(digits) <= 16:
        kind = "national_id" if 6 <= len(digits) <= 10 else "account_number"
        entities[kind] = digits
        return RuleResult(entities, "identification", "digits typed on the keypad")
    return RuleResult(entities)


def apply_rules(
    text: str,
    *,
    source: str,
    language: str,
    today: date | None = None,
    dtmf_menu: Mapping[str, str] | None = None,
    expected: Collection[str] = (),
) -> RuleResult:
    """Extract entities from ``text`` and return the intent when the rules are certain."""
    today = today or date.today()
    stripped = text.strip()
    if source == "dtmf":
        return _keypad_rules(stripped, _DEFAULT_MENU if dtmf_menu is None else dtmf_menu)

    norm = normalise(stripped)
    numeric = numeric_form(stripped)
    entities: dict[str, Any] = {}
    if (amount := _amount(numeric, language)) is not None:
        entities["amount"], span = amount
        numeric = numeric[: span[0]] + " " + numeric[span[1] :]  # an amount is no identifier
    entities.update(_identifiers(numeric, norm))
    if (when := _date(numeric, language, today)) is not None:
        entities["date"] = when

    entities.update(_request_entities(stripped))
    if _explicit_agent_request(stripped):
        return RuleResult(entities, "agent_request", "explicit request for a person")
    if abuse := _ABUSE.search(norm):
        entities["abuse"] = True
        return RuleResult(entities, "complaint", f"abuse or an accusation: {abuse.group(0)}")
    if indignant := _INDIGNATION.search(norm):
        return RuleResult(entities, "complaint", f"indignation: {indignant.group(0)}")
    if _UNSURE.match(norm):
        return RuleResult(entities, OUT_OF_SCOPE, "the caller does not know")
    if hesitates(stripped):
        return RuleResult(entities, OUT_OF_SCOPE, "a hesitation or a question back, no answer")
    if (answer := _emoji_yes_no(stripped, norm) or _yes_no(norm)) is not None:
        return RuleResult(entities, answer, f"bare {'yes' if answer == 'affirm' else 'no'}")
    if fee := _CANCELLATION_FEE.search(norm):
        return RuleResult(entities, "product_info", f"what cancelling costs: {fee[0]}")
    has_id = any(k in entities for k in ("national_id", "account_number", "phone"))
    if (
        has_id
        and "amount" not in entities
        and (_is_mostly_identifier(numeric) or "identification" in expected)
    ):
        return RuleResult(entities, "identification", "the utterance is an identifier")
    if "billing_dispute" in entities or "invoice_copy" in entities:
        what = "a disputed charge" if "billing_dispute" in entities else "a copy of an invoice"
        return RuleResult(entities, "billing_inquiry", what)
    if asked := AGREEMENT_ASKED.search(norm):
        return RuleResult(entities, "debt_negotiation", f"the agreement made: {asked[0]}")
    if "amount" in entities and paid_before(norm) and (rest := _REST_OWED.search(norm)):
        return RuleResult(entities, "payment_made", f"a payment made, then the rest: {rest[0]}")
    if negotiate := _NEGOTIATE_DEBT.search(norm):
        return RuleResult(entities, "debt_negotiation", f"negotiating the debt: {negotiate[0]}")
    debt = _PAY_OFF_DEBT.search(norm)
    if debt and not _SERVICE_NAMED.search(norm) and not _REFUSE_DEBT.search(norm[: debt.start()]):
        return RuleResult(entities, "debt_negotiation", f"paying off the debt: {debt.group(0)}")
    at_once = _PAY_AT_ONCE.search(norm)
    if at_once and "amount" in entities and not paid_before(norm):
        return RuleResult(entities, "debt_negotiation", f"money offered at once: {at_once[0]}")
    if owed := _OWED_BY_OTHER.search(norm):
        return RuleResult(entities, "billing_inquiry", f"what someone else owes: {owed[0]}")
    if (visit := visit_asked(norm)) is not None:
        return RuleResult(entities, "connection_problem", f"a technician's visit asked: {visit}")
    if (topic := _topic_named(norm)) is not None:
        return RuleResult(entities, topic[0], f"the topic named: {topic[1]}")
    if (other := besides_cancelling(norm)) is not None:
        return RuleResult(entities, other[0], f"not cancelling, asking: {other[1]}")
    if (other := besides_denied(norm)) is not None:
        return RuleResult(entities, other[0], f"a problem denied, asking: {other[1]}")
    if (named := _first_request_named(stripped)) is not None:
        return RuleResult(entities, *named)
    return RuleResult(entities)


# "No soy el titular", "la cuenta está a nombre de mi papá", "cancelar el servicio de mi mamá",
# "it's my husband's account", "cancel my mom's service": the
# writer says the account is someone else's. KIN: who they are ("soy la esposa"); FOR: whose
# account it is ("llamo de parte de mi señora", "la cuenta de mi jefe"). "La cuenta es de mi
# casa", "a nombre de mi empresa", "soy la jefa de hogar", "a charge that isn't mine" say no such
# thing.
_KIN = (
    r"(papa|mama|padre|madre|papas|padres|esposo|esposa|marido|mujer|hijo|hija|hermano|hermana|"
    r"abuelo|abuela|tio|tia|novio|novia|pareja|suegro|suegra|cunado|cunada|primo|prima|amigo|"
    r"amiga|familiar|husband|wife|spouse|dad|father|mom|mum|mother|parents|son|daughter|brother|"
    r"sister|partner|boyfriend|girlfriend|grandma|grandpa|grandmother|grandfather|uncle|aunt|"
    r"friend|relative)"
)
_FOR = _KIN[:-1] + r"|mami|papi|mamita|papito|senora|senor|viejo|vieja|jefe|jefa|boss)"
_NOT_HOLDER = re.compile(
    (
        r"\b(no soy (yo )?((el|la) )?(titular|dueno|duena|propietario|propietaria)|"
        r"no (es|esta a) mi (cuenta|nombre)|(cuenta|linea) no es mia|"
        r"a nombre de (mi FOR|otra persona|alguien mas)|(cuenta|deuda|contrato|linea|factura|"
        r"servicio|plan|telefono|celular) ((es|esta a nombre) )?de mi FOR|titular es mi|"
        r"soy (el|la|su) KIN|"
        r"(de parte|en nombre) de mi FOR|(llamo|escribo|hablo) por mi FOR|"
        r"not the (main |primary )?(account ?)?(holder|owner)|(isn ?'?t|not) my (account|acount)|"
        r"(account|acount) (isn ?'?t|is not) mine|(don ?'?t|do not) own (the|this) account|"
        r"(isn ?'?t|not) in my name|"
        r"my FOR ?('?s)? (account|acount|name|line|debt|bill|service|plan|phone)|"
        r"(it ?'?s|its) my FOR ?'?s|"
        r"(belongs to|on behalf of|calling for|writing for|texting for|calling about) my FOR|"
        r"(holder|owner) is my|(i'?m|i m|i am) (the|his|her|their) KIN)\b"
    )
    .replace("FOR", _FOR)
    .replace("KIN", _KIN)
)

# What someone else owes asked ("quiero saber la deuda de mi papá", "cuánto debe mi mamá", "how
# much does my dad owe"): a balance question about an account that is not the writer's.
_OWED_BY_OTHER = re.compile(
    (
        r"\b(cuanto|que) (le |les )?(debe|adeuda|esta debiendo|tiene que pagar) "
        r"(la cuenta de )?mi FOR\b|"
        r"\b(saber|ver|consultar|conocer|revisar|averiguar|preguntar por|cual es|cuanto es) "
        r"(cuanto debe|lo que debe|la deuda|el saldo|la mora|la factura) (de )?mi FOR\b|"
        r"\b(how much|what) (does|do) my FOR owe\b|"
        r"\b(how much|what) ?('?s|is) my FOR ?'?s (debt|balance|bill)\b|"
        r"\b(check|know|see|find out|ask about|look up) my FOR ?'?s (debt|balance|bill)\b"
    ).replace("FOR", _FOR)
)


# What a message that only says the account is someone else's says besides ("hola, no soy el
# titular, es de mi mamá", "it's my husband's account"): greetings, whose it is, joining words.
_BESIDES_NOT_HOLDER = frozenset(
    """hola buenas buenos dias tardes noches es esta de del mi la el su sus que yo ella el ellos
    cuenta nombre pero ya sorry hi hello its it is the a an that who this account name but i'm
    calling writing texting llamo escribo""".split()
)
_WORD = re.compile(r"[a-z0-9']+")


def only_not_the_holder(text: str) -> bool:
    """Return True when ``text`` says the account is someone else's and asks nothing ("no soy
    el titular", "no soy el titular, es de mi mamá", "it's my husband's account")."""
    norm = normalise(text)
    if not _NOT_HOLDER.search(norm):
        return False
    kin = set(_FOR.strip("()").split("|"))
    rest = _WORD.findall(_NOT_HOLDER.sub(" ", norm))
    return all(
        len(w.strip("'")) <= 2 or w.strip("'") in _BESIDES_NOT_HOLDER or w.strip("'s") in kin
        for w in rest
    )


# "Ah no, perdón, sí soy yo el titular", "actually I am the holder": the writer takes back that
# the account is someone else's.
_THE_HOLDER = re.compile(
    r"\b((si )?soy (yo )?((el|la) )?(titular|dueno|duena)|si soy yo|(el|la) titular soy yo|"
    r"(i ?'?m|i am) (the )?(account )?(holder|owner)|(it ?'?s|its) my (own )?account)\b"
)


def the_holder(text: str) -> bool:
    """Return True when ``text`` says the writer is the account holder after all ("sí soy el
    titular", "actually I am the holder"), and not that they are not."""
    norm = normalise(text)
    return bool(_THE_HOLDER.search(norm)) and not _NOT_HOLDER.search(norm)


def not_the_holder(text: str) -> bool:
    """Return True when ``text`` says the account is someone else's ("no soy el titular, soy la
    esposa", "I'm not the account holder") or asks what someone else owes ("cuánto debe mi
    mamá")."""
    norm = normalise(text)
    return bool(_NOT_HOLDER.search(norm) or _OWED_BY_OTHER.search(norm))
