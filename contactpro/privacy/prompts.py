"""Mask what a customer said before it reaches an LLM prompt: secrets, ids, names, addresses.

:func:`mask_for_llm` runs :func:`~contactpro.privacy.redaction.redact`, then the NLU's
:func:`~contactpro.nlu.masking.mask_pii` (e-mails, long digit runs, dictated ids), then masks
names a customer gives ("me llamo Juan Pérez", "my name is Mary Ann Smith"), names the caller
already knows (the customer's name on file) and street addresses ("Calle 45 # 12-34 apto 301",
"Cra. 7 No. 45-10", "Av. Reforma 222", "123 Main Street Apt 4").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from contactpro.nlu.masking import mask_pii
from contactpro.privacy.folding import fold_in_place
from contactpro.privacy.redaction import redact

NAME = "[NAME]"
ADDRESS = "[ADDRESS]"
CARD = "[CARD]"
_CARD_PLACEHOLDER = re.compile(r"\[(?:tarjeta|card) \*{4}\d{4}\]")

# A name after a cue that always introduces one; lower-case words count (speech transcripts).
_STRONG_CUE = (
    r"\b(?:me\s+llamo|mi\s+nombre\s+es|my\s+name\s+is|my\s+name's|a\s+nombre\s+de|"
    r"titular\s+es|le\s+habla)\s+"
)
# A cue that may introduce something else ("soy cliente", "I am calling"): capitals required.
_WEAK_CUE = r"\b(?:soy|habla|this\s+is|i\s+am|i'm|de\s+parte\s+de|on\s+behalf\s+of)\s+"
_PARTICLE = r"(?:de|del|de\s+la|de\s+los|van|von|da|y)"
_CAPITALISED = r"[A-ZÁÉÍÓÚÑÜ][a-záéíóúñü'-]+"
_LOWER_WORD = r"[a-záéíóúñü'-]{2,}"
_STRONG = re.compile(
    rf"(?i:{_STRONG_CUE})(?P<name>{_CAPITALISED}(?:\s+(?:{_PARTICLE}\s+)?{_CAPITALISED}){{0,4}}"
    rf"|{_LOWER_WORD}(?:\s+{_LOWER_WORD}){{0,2}})"
)
_WEAK = re.compile(
    rf"(?i:{_WEAK_CUE})(?P<name>{_CAPITALISED}(?:\s+(?:{_PARTICLE}\s+)?{_CAPITALISED}){{1,4}})"
)
# Words that end a lower-case name ("me llamo juan y quiero pagar").
_NOT_NAME = frozenset(
    """y e o a de del la el los las que quiero quisiera necesito tengo para por con mi mis su
    es soy estoy llamo porque pero como cliente senor senora and i i'm want would need have
    for with my is am calling from about to the a an please por favor gracias thanks hola hi
    hello buenos buenas dias tardes noches sir madam""".split()
)

_STREET_ES = (
    r"(?:calle|cll|cl|carrera|cra|kra|kr|cr|avenida|av|ak|ac|diagonal|dg|transversal|tv|tr|"
    r"autopista|circular|circunvalar|via|manzana|mz|callejon|privada|boulevard|blvd)"
)
_HOUSE_ES = (
    r"\d{1,3}\s*[a-z]?(?:\s*bis)?(?:\s*(?:sur|este|norte|oeste))?\s*"
    r"(?:#|no\.?|n[°º]\.?|numero)\s*\d{1,3}\s*[a-z]?\s*-\s*\d{1,3}(?:\s*(?:sur|este))?"
)
_COMPLEMENT = (
    r"(?:[\s,]+(?:apto|apartamento|apt|interior|int|torre|casa|piso|oficina|of|bloque|bl|"
    r"local|depto|departamento|suite|unit)\.?\s*#?\s*[0-9]+[a-z]?)*"
)
_ADDRESS_ES = re.compile(
    rf"\b{_STREET_ES}\.?\s+(?:{_HOUSE_ES}|[a-z]+(?:\s+[a-z]+){{0,2}}\s+(?:#|no\.?|numero)?\s*"
    rf"\d{{1,5}}(?:\s*-\s*\d{{1,4}})?(?:,?\s+(?:col|colonia)\.?\s+[a-z]+(?:\s+[a-z]+){{0,2}})?)"
    rf"{_COMPLEMENT}"
)
_ADDRESS_EN = re.compile(
    r"\b\d{1,6}\s+(?:[A-Z][a-z]+\.?\s+){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|"
    r"Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Parkway|Pkwy|Highway|Hwy)\b\.?"
    r"(?:,?\s*(?:Apt|Apartment|Suite|Unit|#)\.?\s*#?\s*\w+)?",
)


def mask_for_llm(text: str, language: str = "es", known_names: Iterable[str] = ()) -> str:
    """Return ``text`` fit for an LLM prompt: secrets, ids, e-mails, names and addresses masked.

    ``known_names`` are names on file (the customer's), masked wherever they appear.
    """
    text = _CARD_PLACEHOLDER.sub(CARD, redact(text, language))
    text = _mask_addresses(text)
    text = _mask_known_names(text, known_names)
    text = _mask_given_names(text)
    return mask_pii(text)


def _mask_addresses(text: str) -> str:
    spans = [m.span() for m in _ADDRESS_ES.finditer(fold_in_place(text))]
    spans += [m.span() for m in _ADDRESS_EN.finditer(text)]
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + ADDRESS + text[end:]
    return text


def _mask_known_names(text: str, names: Iterable[str]) -> str:
    parts = {word for name in names for word in fold_in_place(name).split() if len(word) >= 3}
    parts -= _NOT_NAME
    if not parts:
        return text
    pattern = re.compile(
        r"\b(?:" + "|".join(map(re.escape, sorted(parts, key=len, reverse=True))) + r")\b"
    )
    spans = [m.span() for m in pattern.finditer(fold_in_place(text))]
    for start, end in reversed(spans):
        text = text[:start] + NAME + text[end:]
    return re.sub(rf"{re.escape(NAME)}(?:\s+{re.escape(NAME)})+", NAME, text)


def _given_name(match: re.Match[str]) -> str:
    words = match["name"].split()
    kept = []
    for word in words:
        if not words[0][0].isupper() and fold_in_place(word) in _NOT_NAME:
            break
        kept.append(word)
    if not kept:
        return match[0]
    cut = match.start("name") - match.start()
    rest = match["name"][len(" ".join(kept)) :]
    return match[0][:cut] + NAME + rest


def _mask_given_names(text: str) -> str:
    text = _STRONG.sub(_given_name, text)
    return _WEAK.sub(_given_name, text)
