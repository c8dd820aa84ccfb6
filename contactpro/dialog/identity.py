"""Who is this, and is it really them: identification and a second factor before any data.

A caller is identified by caller id or by a national id, account number or contract number given
by voice, keypad or text, and verified by a second factor (the last four digits of their id, or
their birth year, whichever they did not just give) before any balance or personal data is
disclosed. The last four digits of an id on file with a check digit ("900123456-7", "12345678K",
a NIT or a RUT) are those before it ("3456"), as the question says; the four that end the id as
written with its check digit ("4567") pass too. An id of no type and no dash carries no check
digit anyone can be sure of: only its last four digits as on file pass. Failing the second
factor ``max_verification_attempts`` times hands the conversation to a person. An account
number given at the second-factor question ("mi cuenta es 0000120451") is no answer to it: it
spends no attempt, is kept as the account the request is about, and the words are the same
whoever's account it is. Answers are read as written: a capital or a hyphen
("Nineteen eighty-eight."), a two-digit year ("del 88"), a correction ("4051, perdón, 4050"), a
check digit ("12.345.678-K") or a number split over two messages.

Someone who says the account is not theirs ("no soy el titular, soy la esposa") is told that the
account is handled only with its holder: the question waits for the holder's data, which they may
give if the holder is with them, and general questions are answered meanwhile. Saying so spends
no attempt. Said before any identity question ("hola, no soy el titular, quiero saber la deuda
de mi papá"), the request waits and the first identity question asked is already the holder's.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import replace
from datetime import date

from sqlalchemy import or_, select

from contactpro.dialog.context import ESCALATE, Decision, TurnContext
from contactpro.dialog.handlers import product_info
from contactpro.models import Account, Customer
from contactpro.nlu.cascade import get_cascade
from contactpro.nlu.numbers import words_to_digits
from contactpro.nlu.result import Understanding
from contactpro.nlu.rules import not_the_holder, only_not_the_holder, the_holder
from contactpro.nlu.text import fold, normalise

IDENTIFIED, VERIFIED = "identified", "verified"
# Intents worth resuming after an unprompted id ("quiero negociar mi deuda, mi cédula es ...").
RESUMABLE = frozenset(
    {
        "billing_inquiry",
        "payment_how",
        "payment_made",
        "payment_link",
        "debt_negotiation",
        "connection_problem",
        "cancellation",
    }
)
_ID_WORDS = re.compile(
    r"\b(mi|my|numero( de)?|number|es|is|cedula|documento|identificacion|cuenta|account|"
    r"contrato|contract|national id|id|cc|soy|i am|i'?m)\b"
)
# "No me acuerdo", "I don't have it": the caller cannot answer, which counts as a failed try.
_GIVES_UP = re.compile(
    r"\b(no (me )?(acuerdo|recuerdo|se|lo tengo|la tengo|tengo)|ni idea|se me olvido|olvide|"
    r"(don'?t|do not|can'?t|cannot) (know|remember|recall|find|have)|forgot|no idea)\b"
)
# "¿Para qué necesitas eso?", "why do you need that?": the caller asks why the data is asked.
_WHY = re.compile(
    r"\b(para|por|pa) (que|q) (me |te |se )?(lo|la|los|las|eso|esto|necesit\w*|quier\w*|"
    r"pid\w*|pregunt\w*|sirve)\b|\bwhy (do|would|does|should) (you|i|u)\b|"
    r"\bwhy (is|'s) (that|this|it) (needed|necessary|required)\b|"
    r"\bwhat (is it |is that |is this |do you need it |do you need that )?for\b"
)
# "No te voy a dar mis datos", "no quiero dar mi cédula", "I'm not giving you that", "I won't
# share my ID": the caller will not give the data. No wrong answer and no failed try: told once
# why it is asked, then a person ("no sé decirte" does not know, "can't give" cannot).
_REFUSES = re.compile(
    r"\b(?:no|nunca|jamas)\s+(?!se (?:dar|decir)\w*\b)"
    r"(?:(?:te|le|les|se|me|lo|la|los|las|eso|esa|ese|esos|esas)\s+){0,2}"
    r"(?:(?:voy|vamos|pienso|quiero|quisiera|deseo|doy|damos)\s+(?:a\s+)?)?"
    r"(?:(?:te|le|les|se|lo|la|los|las)\s+){0,2}"
    r"(?:dar\w*|doy|damos|compart\w*|decir\w*|digo|dire|pasar\w*|revel\w*|entreg\w*|"
    r"proporcion\w*|suministr\w*)\b|"
    r"\bprefiero no (?:dar|decir|compartir|pasar)\w*\b|"
    r"\b(?:not|won'?t|will not|wont|refuse to|rather not|don'?t want to|do not want to|never)\s+"
    r"(?:going to\s+|gonna\s+)?(?:give|giving|share|sharing|tell|telling|say|saying|provide|"
    r"providing|send|sending|disclose|disclosing|hand|handing)\b|"
    r"\bnone of your business\b"
)
# Slot counting the refusals to give the data: the second goes to a person.
REFUSED_SLOT = "data_refused"
# "4051, no perdón, 4050", "sorry, it's 4050": the number after the last of these words
# corrects the one before it.
_CORRECTION = re.compile(
    r"\b(perdon|perdona|disculpa|disculpe|digo|quise decir|mejor dicho|corrijo|me equivoque|"
    r"sorry|i mean|i meant|my bad|oops|correction|actually)\b"
)
# Punctuation touching a letter ("eighty-eight", "ocho.", "¿cuatro"): a space, so that spoken
# numbers are read; between digits it stays a separator ("12.345.678-5").
_PUNCT_BY_LETTER = re.compile(r"(?<=[^\W\d_])[^\w\s]|[^\w\s](?=[^\W\d_])")
# Words that give the number after them as an account ("mi cuenta es 0000120451", "account
# 0000120451", "cuánto debe la cuenta 0000120451?"), no id word between.
_ACCOUNT_GIVEN = re.compile(
    r"\b(?:cuenta|cta|account|acct|contrato|contract)\b"
    r"(?:(?!\b(?:cedula|documento|identificacion|id|rut|dni)\b)\D){0,20}?\b(\d{5,})\b"
)
# An id with a check digit after a dash, a space or the word for it ("12.345.678-5",
# "12345678-K", "doce millones... guion cinco"): on file with or without it.
_CHECK_DIGIT = re.compile(r"\b(\d[\d.]{5,}\d)(?:\s*(?:-|guion|raya|dash)\s*|\s+)([0-9k])\b")
# A birth year said in two digits: "del 88", "en el 88", "'88", the year of "03/05/88".
_SHORT_YEAR = re.compile(
    r"(?:\b(?:del|de|en el|en|ano|in|of|class of)\s+|'|\b\d{1,2}[/.-]\d{1,2}[/.-])(\d{2})\b"
)
# Separators written inside an id on file ("900123456-7", "12.345.678-K").
_ID_SEPARATORS = re.compile(r"[\s.-]")
# An id on file that ends in a check digit whatever its type: after a dash ("900123456-7",
# "12.345.678-K") or a K after the digits ("12345678K").
_CHECK_DIGIT_ON_FILE = re.compile(r"\d(?:\s*-\s*[0-9K]|K)$")
# The last four digits of an id, as they are asked and answered.
_FOUR_DIGITS = re.compile(r"\d{4}")
# Id types whose last character is a check digit: a company's NIT (Colombia), a RUT (Chile).
CHECK_DIGIT_TYPES = frozenset({"NIT", "RUT", "RUN"})
# Fewest digits of an id given without its check digit (or with one the id on file lacks).
MIN_CHECK_DIGIT_BODY = 6
# Id types whose check digit is a Colombian NIT's (DIAN's rule); an id of no type may be one.
NIT_TYPES = frozenset({"NIT", ""})
# DIAN's weights for a NIT's digits, from the last one before the check digit.
_NIT_WEIGHTS = (3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71)
# The youngest a customer can be: a two-digit year is read in the century that makes them so.
YOUNGEST_AGE = 15
# Slot of the digits of an answer that matched nothing: the next message may be its second half
# ("10203", then "04050"; "cuatro cero", then "cinco cero").
PARTIAL_SLOT = "partial_digits"
# Turns without a number at an identity question answered by asking again, before a person.
MAX_NON_ANSWERS = 2
# What an account number given at the security question is told: noted, but no answer to it.
NOT_A_FACTOR = "account_not_a_factor"
# Shortest digit run read as an id or account number when nobody asked for one.
MIN_UNPROMPTED_DIGITS = 6
# Shortest digit run read as an answer to an identity question among other words: "hola, cuánto
# debo 2" is a request, not a wrong id. A number alone ("12") is an answer whatever its length.
MIN_ANSWER_DIGITS = 3
# A word of three letters or more besides the number makes a short number part of a request.
_WORD = re.compile(r"[^\W\d_]{3,}")
# The digit runs an opening request named ("cancelar la línea 3104447654"), kept through the
# identity questions so that the request, resumed, acts on that account.
NAMED_SLOT = "named_digits"
# Caller turns read back for a request once identification is done (request, id, retries).
REQUEST_LOOKBACK_TURNS = 6
# The questions a request waits on before it is acted on (identity, which account).
WAITED_STEPS = frozenset({"verified", "asked_which_account", "asked_which_account_again"})
# Slot and hand-over key set when the writer says the account is someone else's: the identity
# question then asks for the holder's data, and the agent taking over is told.
NOT_HOLDER = "not_holder"
# What such a writer is answered without identification: nothing of any account is read.
GENERAL_QUESTIONS = frozenset({"product_info", "payment_how"})
# The least model confidence to answer a general question rather than ask for the data again.
GENERAL_MIN_CONFIDENCE = 0.5


def _spoken(text: str) -> str:
    """Return ``text`` folded, spoken numbers as digits ("Mil novecientos...", "eighty-eight")."""
    return words_to_digits(_PUNCT_BY_LETTER.sub(" ", fold(text)))


def digits_in(text: str) -> list[str]:
    """Return the digit runs in ``text``, spoken numbers included ("mil novecientos...")."""
    joined = re.sub(r"(?<=\d)[.\s-](?=\d)", "", _spoken(text))
    return re.findall(r"\d+", joined)


def accounts_given(text: str) -> list[str]:
    """Return the digit runs ``text`` gives as an account or contract number ("mi cuenta es
    0000120451", "account 0000120451")."""
    joined = re.sub(r"(?<=\d)[.\s-](?=\d)", "", _spoken(text))
    return list(dict.fromkeys(_ACCOUNT_GIVEN.findall(joined)))


def _check_digit_forms(text: str) -> list[str]:
    """Return an id given with a check digit ("12.345.678-5", "12345678-K") as it may be on
    file: with the check digit, then without it."""
    found = []
    for body, check in _CHECK_DIGIT.findall(_spoken(text)):
        digits = re.sub(r"\D", "", body)
        found += [digits + check.upper(), digits]
    return found


def answers_with_digits(text: str) -> bool:
    """Return True when ``text`` tries a number as the answer to an identity question: a run of
    ``MIN_ANSWER_DIGITS`` digits or more, or a shorter number with hardly a word around it."""
    runs = digits_in(text)
    if any(len(run) >= MIN_ANSWER_DIGITS for run in runs):
        return True
    return bool(runs) and not _WORD.search(words_to_digits(normalise(text)))


def _carries_check_digit(customer: Customer) -> bool:
    """Return True when the id on file ends in a check digit: after a dash ("900123456-7"), a K
    ("12345678K"), or any last digit of an id of a type that has one (a NIT, a RUT)."""
    national_id = customer.national_id or ""
    if re.search(r"\d-[0-9k]$", national_id, re.IGNORECASE) or national_id[-1:] in ("k", "K"):
        return True
    return (customer.national_id_type or "").upper() in CHECK_DIGIT_TYPES


def nit_check_digit(body: str) -> str:
    """Return the check digit of a NIT's digits ``body`` (DIAN's rule: weighted sum modulo 11)."""
    weighted = sum(int(d) * w for d, w in zip(reversed(body), _NIT_WEIGHTS, strict=False))
    rest = weighted % 11
    return str(rest if rest < 2 else 11 - rest)


def _valid_nit(digits: str) -> bool:
    """Return True when the last of ``digits`` is the NIT check digit of the ones before it."""
    body = digits[:-1]
    if not digits.isdigit() or not MIN_CHECK_DIGIT_BODY <= len(body) <= len(_NIT_WEIGHTS):
        return False
    return digits[-1] == nit_check_digit(body)


def _may_be_nit(customer: Customer) -> bool:
    """Return True when the id on file may be a NIT: of that type, or of none (a company's)."""
    return (customer.national_id_type or "").strip().upper() in NIT_TYPES


def id_matches(customer: Customer, value: str) -> bool:
    """Return True when ``value``, an id as given (digits, a check digit after them or not), is
    the id of ``customer``: the same characters, separators aside; or the same without the
    check digit the id on file carries ("900123456" for "900123456-7"), or the id on file with
    one given after it ("9001234567" for a NIT on file as "900123456"). An id of no type is a
    company's NIT so only when the check digit is its own ("9001234568" for "900123456"). No
    other digit may differ, and no shorter or longer number passes."""
    on_file = _ID_SEPARATORS.sub("", customer.national_id or "").upper()
    given = value.upper()
    if not on_file or len(given) < 5:
        return False
    if given == on_file:
        return True
    if len(given) < MIN_CHECK_DIGIT_BODY:
        return False
    if _carries_check_digit(customer):
        return on_file[:-1] == given or (on_file == given[:-1] and given[:-1].isdigit())
    if not _may_be_nit(customer):
        return False
    return (on_file[:-1] == given and _valid_nit(on_file)) or (
        on_file == given[:-1] and _valid_nit(given)
    )


def _id_parts(customer: Customer) -> tuple[str, str]:
    """Return the id on file, separators aside, as its characters before the check digit and
    the check digit: the one after a dash ("900123456-7", "12.345.678-K") or a final K
    ("12345678K"); a RUT's last character; a NIT's valid last digit ("9001234568"), or DIAN's
    digit for one on file without it ("900123456" gives "8"). An id without a dash or a type
    that has one (a cédula, an id of no type) carries none: the id and ""."""
    national_id = (customer.national_id or "").strip().upper()
    digits = _ID_SEPARATORS.sub("", national_id)
    kind = (customer.national_id_type or "").strip().upper()
    if _CHECK_DIGIT_ON_FILE.search(national_id) or (kind in ("RUT", "RUN") and digits[1:]):
        return digits[:-1], digits[-1]
    if kind == "NIT" and digits.isdigit() and len(digits) >= MIN_CHECK_DIGIT_BODY:
        if _valid_nit(digits):
            return digits[:-1], digits[-1]
        return digits, nit_check_digit(digits)
    return digits, ""


def _last_fours(customer: Customer) -> set[str]:
    """Return the last four digits of the id on file that verify: those before its check digit
    ("3456" for "900123456-7") and, where the check digit is sure (:func:`_id_parts`), the four
    that end the id as written with it ("4567"); the last four as on file for an id without
    one. Nothing is worked out for an id of no type and no dash: it may be no NIT at all."""
    body, check = _id_parts(customer)
    return {four for four in (body[-4:], (body + check)[-4:]) if _FOUR_DIGITS.fullmatch(four)}


def _holder_of(ctx: TurnContext, value: str, loose: bool = True) -> Customer | None:
    """Return the customer whose national id (:func:`id_matches`, unless not ``loose``: an id
    given with its check digit, the check digit taken off, is only that id), account number or
    contract number is ``value``."""
    if len(value) < 5:
        return None
    customer = ctx.session.scalars(select(Customer).where(Customer.national_id == value)).first()
    if customer is None and loose and len(value) >= MIN_CHECK_DIGIT_BODY:
        # The id on file with its check digit, or without the one given: an exact match first.
        near = ctx.session.scalars(
            select(Customer).where(
                or_(
                    Customer.national_id.in_([f"{value[:-1]}-{value[-1]}", value[:-1]]),
                    Customer.national_id.like(f"{value}_"),
                    Customer.national_id.like(f"{value}-_"),
                )
            )
        )
        customer = next((c for c in near if id_matches(c, value)), None)
    if customer is None:
        account = ctx.session.scalars(
            select(Account).where(or_(Account.number == value, Account.contract_number == value))
        ).first()
        customer = account.customer if account else None
    return customer


def find_by_identifier(ctx: TurnContext) -> Customer | None:
    """Look up a customer by the national id, account number or contract number in this turn."""
    entities = ctx.understood.entities
    candidates = [str(entities[k]) for k in ("national_id", "account_number") if k in entities]
    with_check = _check_digit_forms(ctx.text)
    # "900123456-8" is no "900123456-7" on file: without its check digit it is only "900123456".
    bodies = set(with_check[1::2])
    candidates += digits_in(ctx.text) + with_check
    for value in dict.fromkeys(candidates):
        if (customer := _holder_of(ctx, value, loose=value not in bodies)) is not None:
            return customer
    return None


def _halves(ctx: TurnContext) -> str | None:
    """Return an id or account number split over two messages ("10203", then "04050"): the
    digits of the last answer that matched nothing followed by this one's."""
    before, runs = ctx.state.slots.get(PARTIAL_SLOT), digits_in(ctx.text)
    return before + runs[0] if before and len(runs) == 1 else None


def _keep_partial(ctx: TurnContext, text: str) -> None:
    """Keep the one number of an answer that matched nothing, for a second half to follow."""
    runs = digits_in(text)
    if len(runs) == 1:
        ctx.state.slots[PARTIAL_SLOT] = runs[0]
    else:
        ctx.state.slots.pop(PARTIAL_SLOT, None)


def _second_factor(ctx: TurnContext) -> str:
    """Ask for the factor the caller has not already given."""
    given = ctx.state.slots.get("identified_by")
    customer = ctx.customer
    last4 = _id_parts(customer)[0][-4:] if customer else ""
    if given == "national_id" or not _FOUR_DIGITS.fullmatch(last4):
        return "birth_year"  # also for ids that do not end in digits (a Mexican CURP)
    return "id4"


def _ask_verification(ctx: TurnContext) -> Decision:
    factor = _second_factor(ctx)
    ctx.state.slots["factor"] = factor
    ctx.state.awaiting = "verify"
    customer = ctx.customer
    # The question says that the four digits asked of an id with a check digit are before it.
    check_digit = factor == "id4" and customer is not None and bool(_id_parts(customer)[1])
    if ctx.state.slots.get(NOT_HOLDER):
        text = ctx.say("not_holder_question", asked=factor, check_digit=check_digit)
        return Decision(text, step="asked_verification")
    key = "ask_verify_birth_year" if factor == "birth_year" else "ask_verify_id4"
    return Decision(ctx.say(key, check_digit=check_digit), step="asked_verification")


def _ask_identification(ctx: TurnContext) -> str:
    """Ask for an id or account number: the holder's, when the writer said they are not."""
    if ctx.state.slots.get(NOT_HOLDER):
        return ctx.say("not_holder_question", asked="identify", check_digit=False)
    return ctx.say("ask_identify")


def ask_again(ctx: TurnContext) -> str | None:
    """Return the identity question left waiting, worded for this conversation's channel ("dime"
    on a call, "escríbeme" in a message), or None when none waits."""
    if ctx.state.awaiting == "identify":
        return _ask_identification(ctx)
    if ctx.state.awaiting == "verify":
        return _ask_verification(ctx).text
    return None


def note_not_holder(ctx: TurnContext) -> Decision | None:
    """Note a writer who says the account is someone else's before any identity question waits
    ("hola, no soy el titular, quiero saber la deuda de mi papá"): the identity question asked
    next is the holder's, and an agent taking over is told. At the question, :func:`reply`
    notes it. A message that says only that ("no soy el titular", "it's my husband's account")
    outside a flow is answered: what can be done without the holder, and what they need."""
    state = ctx.state
    if state.verified or state.awaiting in ("identify", "verify"):
        return None
    if not not_the_holder(ctx.text):
        return None
    state.handoff[NOT_HOLDER] = True
    if state.flow is None and only_not_the_holder(ctx.text):
        return Decision(ctx.say("not_holder_what"), step="asked_what_holder_needs")
    return None


def _kept_not_holder(ctx: TurnContext) -> bool:
    """Carry the writer's word that they are not the holder into the identity flow just started
    (starting it forgets the slots); return True when they said so."""
    if not ctx.state.handoff.get(NOT_HOLDER):
        return False
    ctx.state.slots[NOT_HOLDER] = True
    return True


def _told_not_holder(ctx: TurnContext, asked: Decision) -> Decision:
    """Return the first identity question ``asked`` of a writer who is not the holder: told
    first that the account is handled only with its holder, then asked for the holder's data."""
    text = ctx.say("not_holder", question=asked.text)
    return replace(asked, text=text, question=asked.text)


def require(ctx: TurnContext, level: str, intent: str) -> Decision | None:
    """Return the question that stands between the caller and ``intent``, or None to go on."""
    if ctx.state.customer_id is None:
        ctx.state.start("identity", "identify")
        ctx.state.pending_intent = intent
        if _kept_not_holder(ctx):
            asked = Decision(_ask_identification(ctx), step="asked_identification")
            return _told_not_holder(ctx, asked)
        return Decision(ctx.say("ask_identify"), step="asked_identification")
    if level == VERIFIED and not ctx.state.verified:
        ctx.state.start("identity")
        ctx.state.pending_intent = intent
        if _kept_not_holder(ctx):
            return _told_not_holder(ctx, _ask_verification(ctx))
        return _ask_verification(ctx)
    return None


def corrected(text: str) -> str:
    """Return the part of ``text`` after its last correction when a number follows it ("4051,
    no perdón, 4050" answers 4050), else ``text``."""
    norm = normalise(text)
    ends = [cue.end() for cue in _CORRECTION.finditer(norm)]
    if not ends or not digits_in(norm[ends[-1] :]):
        return text
    return norm[ends[-1] :]


def _short_year(text: str) -> str | None:
    """Return the birth year ``text`` gives in two digits ("del 88", "'88", "03/05/88", "88"
    alone) as four, in the century that makes the customer at least ``YOUNGEST_AGE``."""
    spoken = _spoken(text)
    found = _SHORT_YEAR.findall(spoken)
    if not found and re.fullmatch(r"\s*\d{2}\s*", spoken):
        found = [spoken.strip()]
    if len(set(found)) != 1:
        return None
    year = 2000 + int(found[0])
    return str(year if year <= date.today().year - YOUNGEST_AGE else year - 100)


def second_factor_answers(text: str, factor: str, skip: Collection[str] = ()) -> set[str]:
    """Return the distinct answers to the second-factor question that ``text`` gives, the runs
    in ``skip`` (account numbers) left out.

    A birth year is a four-digit number (or two: "del 88"); the last four digits of an id are
    any run of four or more digits, read by its last four (a caller may give the whole id).
    More than one answer is no answer: a message listing every year or every four digits must
    not pass. After a correction ("4051, perdón, 4050") only the corrected number counts.
    """
    text = corrected(text)
    runs = [d for d in digits_in(text) if d not in skip]
    if factor == "birth_year":
        years = {d for d in runs if len(d) == 4}
        if not years and (year := _short_year(text)) is not None:
            years = {year}
        return years
    return {d[-4:] for d in runs if len(d) >= 4}


def own_answers(customer: Customer) -> set[str]:
    """Return what ``customer`` identifies and verifies with: their id, its last four digits
    and their birth year."""
    national_id = customer.national_id or ""
    birth_year = str(customer.birth_year) if customer.birth_year else ""
    return {national_id, *_last_fours(customer), birth_year} - {""}


def _matches(ctx: TurnContext, answers: set[str]) -> bool:
    customer = ctx.customer
    if customer is None or len(answers) != 1:
        return False
    if ctx.state.slots.get("factor") == "birth_year":
        year = str(customer.birth_year) if customer.birth_year is not None else ""
        return bool(year) and answers == {year}
    return answers <= _last_fours(customer)


def _identified(ctx: TurnContext, customer: Customer, joined: str | None = None) -> Decision:
    """Note who the caller said they are and ask for the second factor: the birth year when
    they gave their id (``joined``: the id they split over two messages)."""
    state = ctx.state
    state.customer_id = customer.id
    ctx.interaction.customer_id = customer.id
    if ctx.interaction.language is None:
        ctx.interaction.language = customer.preferred_language
    entities = ctx.understood.entities
    given = [*digits_in(ctx.text), *_check_digit_forms(ctx.text), joined]
    given_id = any(id_matches(customer, value) for value in given if value)
    # An id given (with an account or not) is no second factor: the birth year is asked.
    by_account = not given_id and ("account_number" in entities or "national_id" not in entities)
    state.slots["identified_by"] = "account_number" if by_account else "national_id"
    state.steps.append("identified")
    return _ask_verification(ctx)


def _stated(ctx: TurnContext) -> Understanding | None:
    """Return the reading of the request said along with an id ("quiero pagar mi deuda,
    cédula 1019..."), the id and its words left out."""
    rest = re.sub(r"\d+", " ", _ID_WORDS.sub(" ", words_to_digits(normalise(ctx.text))))
    if len(rest.split()) < 2:
        return None
    understood = get_cascade(ctx.settings).understand(
        rest, channel=ctx.channel, source="text", language_hint=ctx.language
    )
    return understood if understood.intent in RESUMABLE else None


def _stated_intent(ctx: TurnContext) -> str | None:
    """Return the request said along with an id ("quiero pagar mi deuda, cédula 1019...")."""
    stated = _stated(ctx)
    return stated.intent if stated is not None else None


def restated(ctx: TurnContext) -> Understanding | None:
    """Return the request a known caller made naming an account or id, read as the id alone
    ("acuerdo de pago para la cuenta 0000100186" from their own phone is a request, not an
    answer nobody asked for); None when the turn is no such request."""
    state = ctx.state
    if state.customer_id is None or ctx.understood.intent != "identification":
        return None
    if state.awaiting not in (None, "confirm_resolution"):
        return None  # an id answering the bot's question stays an answer
    stated = _stated(ctx)
    if stated is None:
        return None
    return replace(
        stated,
        language=ctx.understood.language,
        entities={**ctx.understood.entities, **stated.entities},
    )


def unprompted(ctx: TurnContext) -> Decision | None:
    """Start verification when a stranger gives an id or account number nobody asked for.

    The request they stated before (or along with) the id is resumed once they are verified.
    """
    state = ctx.state
    if state.customer_id is not None or state.awaiting in ("identify", "verify"):
        return None
    if ctx.understood.intent in ("agent_request", "complaint"):
        return None  # "quiero un asesor, mi cédula es ...": the person comes first
    entities = ctx.understood.entities
    given = "national_id" in entities or "account_number" in entities
    if not given and not any(len(d) >= MIN_UNPROMPTED_DIGITS for d in digits_in(ctx.text)):
        return None
    customer = find_by_identifier(ctx)
    if customer is None:
        if ctx.understood.intent != "identification":
            return None
        pending = state.pending_intent
        state.start("identity", "identify")
        state.pending_intent = pending
        state.identify_attempts += 1
        _kept_not_holder(ctx)
        return Decision(ctx.say("identify_not_found"), step="identification_retry")
    pending = _stated_intent(ctx) or state.pending_intent
    state.start("identity")
    state.pending_intent = pending
    if named := [d for d in digits_in(ctx.text) if len(d) >= 3]:
        state.slots[NAMED_SLOT] = named
    if _kept_not_holder(ctx):
        return _told_not_holder(ctx, _identified(ctx, customer))
    return _identified(ctx, customer)


def _not_an_answer(ctx: TurnContext, lead: str | None = None) -> Decision:
    """A turn with no number at an identity question ("¿cuál documento?", "cancelar mi
    servicio") is no wrong answer: say why the data is needed and ask again, without spending an
    attempt; after ``MAX_NON_ANSWERS`` such turns, a person takes it (someone who is not the
    holder is told instead that the account waits for its holder). ``lead``, a template key,
    answers what the turn said ("¿para qué?", an account number at the security question)
    before the question."""
    state = ctx.state
    state.slots["non_answers"] = state.slots.get("non_answers", 0) + 1
    if state.slots["non_answers"] > MAX_NON_ANSWERS and state.slots.get(NOT_HOLDER):
        # Someone who is not the holder and does not have the holder's data failed nothing: the
        # account waits for its holder, and general questions are still answered.
        state.finish()
        return Decision(ctx.say("not_holder_end"), step="not_holder_ended")
    if state.slots["non_answers"] > MAX_NON_ANSWERS:
        reason = "verification_failed" if state.awaiting == "verify" else "identification_failed"
        state.finish()
        return Decision("", ESCALATE, reason=reason)
    if lead is not None:
        question = _waiting_question(ctx)
        text = f"{ctx.say(lead)} {question}"
        return Decision(text, step="identity_reasked", question=question)
    if state.slots.get(NOT_HOLDER):
        question = _waiting_question(ctx)
        text = ctx.say("not_holder_again", question=question)
        return Decision(text, step="identity_reasked", question=question)
    if state.awaiting == "identify":
        return Decision(ctx.say("ask_identify"), step="identity_reasked")
    question = _ask_verification(ctx).text
    return Decision(f"{ctx.say('identity_needed')} {question}", step="identity_reasked")


def _data_refused(ctx: TurnContext) -> Decision:
    """Answer a caller who will not give the data ("no te voy a dar mis datos", "I won't share
    my ID"): the first time, why it is asked and the question again; the second, a person
    (``identity_refused``), as at once after as many turns without the data as a person takes
    over after. No attempt is spent and nothing of the account is said."""
    state = ctx.state
    state.slots[REFUSED_SLOT] = state.slots.get(REFUSED_SLOT, 0) + 1
    if state.slots[REFUSED_SLOT] > 1 or state.slots.get("non_answers", 0) >= MAX_NON_ANSWERS:
        state.finish()
        return Decision(ctx.say("handoff_data_refused"), ESCALATE, reason="identity_refused")
    question = _waiting_question(ctx)
    text = f"{ctx.say('identity_why')} {question}"
    return Decision(text, step="identity_reasked", question=question)


def _waiting_question(ctx: TurnContext) -> str:
    """Return the identity question that waits, asked again."""
    if ctx.state.awaiting == "identify":
        return _ask_identification(ctx)
    return _ask_verification(ctx).text


def _not_holder(ctx: TurnContext, told: bool) -> Decision:
    """Tell a writer who says the account is not theirs that it is handled only with its holder,
    what they can do meanwhile, and ask for the holder's data; no attempt is spent. Once
    ``told``, a shorter reminder."""
    question = _waiting_question(ctx)
    key = "not_holder_again" if told else "not_holder"
    return Decision(ctx.say(key, question=question), step="identity_reasked", question=question)


def _general_answer(ctx: TurnContext) -> Decision | None:
    """Answer a general question (plans, prices, coverage, how to pay) from a writer who is not
    the holder, then ask the holder's question again; None when the turn asks no such question
    or no article answers it."""
    understood, state = ctx.understood, ctx.state
    sure = understood.tier in ("rules", "llm") or understood.confidence >= GENERAL_MIN_CONFIDENCE
    waiting = (state.flow, state.awaiting, state.pending_intent, dict(state.slots))
    if understood.intent == "payment_how" and sure:
        # The generic text: no account number is said to someone who is not its holder.
        answer: Decision | None = Decision(
            ctx.say("payment_how_generic"), step="told_how_to_pay", resolved=True
        )
    elif understood.intent in GENERAL_QUESTIONS and sure:
        answer = product_info.start(ctx)
    elif understood.intent == "out_of_scope":
        answer = product_info.fallback(ctx)
    else:
        return None
    state.flow, state.awaiting, state.pending_intent, state.slots = waiting
    if answer is None or answer.action == ESCALATE:
        return None  # no article answers it: reminded of the holder's question, not handed over
    # The holder's question still waits: asked after the answer (on a call it says what the
    # keypad is for).
    question = _waiting_question(ctx)
    return replace(answer, text=f"{answer.text} {question}", question=question)


def reply(ctx: TurnContext) -> Decision | None:
    """Handle the answer to an identity question; None means: resume the pending intent."""
    state = ctx.state
    at_question = state.awaiting in ("identify", "verify")
    told = bool(state.slots.get(NOT_HOLDER))
    if says_not_holder := at_question and not_the_holder(ctx.text):
        state.slots[NOT_HOLDER] = state.handoff[NOT_HOLDER] = True
    elif told and at_question and the_holder(ctx.text):
        # Taken back: the holder's own data is asked for, as for any holder.
        state.slots.pop(NOT_HOLDER, None)
        state.handoff.pop(NOT_HOLDER, None)
        told = False
        if not answers_with_digits(ctx.text):
            question = _waiting_question(ctx)
            return Decision(question, step="identity_reasked", question=question)
    given = accounts_given(ctx.text) if at_question else []
    if given:
        # The account the request is about, kept for it: never an answer to the security
        # question, and never a word of whose it is.
        named = state.slots.get(NAMED_SLOT, [])
        state.slots[NAMED_SLOT] = list(dict.fromkeys([*named, *given]))
    factor = str(state.slots.get("factor", ""))
    answers = second_factor_answers(ctx.text, factor, given)
    if state.awaiting == "verify" and given and not answers:
        if says_not_holder and not told:
            return _not_holder(ctx, told)
        return _not_an_answer(ctx, NOT_A_FACTOR)
    answered = answers_with_digits(ctx.text) or (state.awaiting == "verify" and bool(answers))
    if at_question and not answered:
        if says_not_holder:
            return _not_holder(ctx, told)
        if told and (general := _general_answer(ctx)) is not None:
            return general
        norm = normalise(ctx.text)
        if not told and _REFUSES.search(norm):
            return _data_refused(ctx)
        if not told and _WHY.search(norm):
            return _not_an_answer(ctx, "identity_why")
        # Someone who is not the holder may well not know the holder's data: no failed try.
        if told or not _GIVES_UP.search(norm):
            return _not_an_answer(ctx)
    if state.awaiting == "identify":
        joined = _halves(ctx)
        customer = find_by_identifier(ctx)
        if customer is None and joined is not None:
            customer = _holder_of(ctx, joined)
        else:
            joined = None
        if customer is None:
            _keep_partial(ctx, ctx.text)
            state.identify_attempts += 1
            if state.identify_attempts >= ctx.settings.max_verification_attempts:
                return Decision("", ESCALATE, reason="identification_failed")
            if not digits_in(ctx.text):
                # "No me acuerdo del número de cuenta": the other datum will do.
                question = _ask_identification(ctx)
                text = f"{ctx.say('identify_either')} {question}"
                return Decision(text, step="identification_retry", question=question)
            return Decision(ctx.say("identify_not_found"), step="identification_retry")
        state.slots.pop(PARTIAL_SLOT, None)
        return _identified(ctx, customer, joined)
    if state.awaiting == "verify":
        answers = _joined_answer(ctx, factor) or answers
        if _matches(ctx, answers):
            state.slots.pop(PARTIAL_SLOT, None)
            state.verified = True
            state.steps.append("verified")
            state.awaiting = None
            return None
        _keep_partial(ctx, corrected(ctx.text))
        state.verify_attempts += 1
        if state.verify_attempts >= ctx.settings.max_verification_attempts:
            state.finish()
            return Decision("", ESCALATE, reason="verification_failed")
        if not answers and _GIVES_UP.search(normalise(ctx.text)):
            problem = "verify_not_known"
        else:
            problem = "verify_one_answer" if len(answers) > 1 else "verify_failed_retry"
        asked = _ask_verification(ctx).text
        # Silence after "Ese dato no coincide..." asks for the data again, not that it failed.
        return Decision(f"{ctx.say(problem)} {asked}", step="verification_retry", question=asked)
    return None


def _joined_answer(ctx: TurnContext, factor: str) -> set[str]:
    """Return the answer a security answer split over two messages gives ("cuatro cero", then
    "cinco cero"): the last wrong answer's digits and this one's, when together they make the
    four digits asked; else an empty set."""
    before, runs = ctx.state.slots.get(PARTIAL_SLOT), digits_in(corrected(ctx.text))
    if not before or len(runs) != 1 or len(before + runs[0]) != 4:
        return set()
    return second_factor_answers(before + runs[0], factor)


def request_texts(ctx: TurnContext, intent: str) -> list[str]:
    """Return what the customer said in their request: this turn and, when the request waited
    for identification or the account, the turns back to the one read as ``intent`` ("ayer
    hice una transferencia de 250.000" answered after the last four digits of the id)."""
    texts = [ctx.text]
    if not ctx.state.steps or ctx.state.steps[-1] not in WAITED_STEPS:
        return texts
    earlier = [t for t in ctx.interaction.turns if t.speaker == "caller"]
    for turn in reversed(earlier[-REQUEST_LOOKBACK_TURNS:]):
        texts.append(turn.text)
        if turn.intent == intent:
            break
    return texts
