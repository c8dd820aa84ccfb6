"""A numbered option named by its own words: "la del 15 % de descuento", "the 416,250 one".

Written channels list options as "1) ... 2) ...". Customers answer with the number, an
ordinal, or words they read in the option itself. Each option is reduced to the words no other
option shares (its amount, its discount, its number of payments, its date); the option whose
distinctive words the answer names, and only that one, is the pick. A date is a day with its
month: "antes del 4 de enero" is named by "el 4 de enero" or "la de enero", never by a lone
"4" ("mejor en 4" asks for four payments).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from contactpro.dialog.dates import MONTHS
from contactpro.nlu.text import numeric_form

_PERCENT = re.compile(r"\s*(%|\bpor ?ciento\b|\bpercent\b)", re.IGNORECASE)
_MARK = re.compile(r"(?<=\d) percentsign\b")
_THOUSANDS = re.compile(r"(?<=\d)[.,](?=\d{3}\b)")
_DECIMAL = re.compile(r"(?<=\d),(?=\d)")
# A number with its percent sign is one word: "15 %" (a discount) is not "15" (a day).
_THOUSAND_WORD = re.compile(r"\b(\d{1,3}) (?:mil|thousand)\b")
# Words that say nothing about which option: articles, pronouns, prepositions.
_FUNCTION_WORDS = frozenset(
    "the one ones for and with that this las los del una uno unos que con por para esa ese esta "
    "este opcion option".split()
)
_MONTH_NAMES = "|".join(MONTHS)
# "4 de enero", "January 4th": one word for the day with its month, the month kept on its own.
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:de\s+|of\s+)?({_MONTH_NAMES})\b")
_MONTH_DAY = re.compile(rf"\b({_MONTH_NAMES})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b")
_TOKEN = re.compile(r"\d{1,2}@\d{1,2}|\d+(?:\.\d+)?(?: ?%)?|[^\W\d_]{3,}")


def _dates_as_words(form: str) -> str:
    """Write each day said with its month as one word ("4@1") followed by the month."""
    form = _DAY_MONTH.sub(lambda m: f"{int(m[1])}@{MONTHS[m[2]]} {m[2]}", form)
    return _MONTH_DAY.sub(lambda m: f"{int(m[2])}@{MONTHS[m[1]]} {m[1]}", form)


def words(text: str) -> set[str]:
    """Return the comparable words of ``text``: folded, numbers as digits without separators."""
    marked = _PERCENT.sub(" percentsign ", text)
    form = _DECIMAL.sub(".", _THOUSANDS.sub("", numeric_form(marked)))
    form = _MARK.sub("%", form).replace("percentsign", "")
    form = _THOUSAND_WORD.sub(lambda m: str(int(m.group(1)) * 1000), form)
    form = _dates_as_words(form)
    return {t.replace(" ", "") for t in _TOKEN.findall(form)} - _FUNCTION_WORDS


def named_option(text: str, described: Sequence[str]) -> int | None:
    """Return the index of the one option whose distinctive words ``text`` names, else None."""
    said = words(text)
    if not said or len(described) < 2:
        return None
    option_words = [words(option) for option in described]
    scores = []
    for i, mine in enumerate(option_words):
        others = set().union(*(w for j, w in enumerate(option_words) if j != i))
        scores.append(len((mine - others) & said))
    best = max(scores)
    if best == 0 or scores.count(best) > 1:
        return None
    return scores.index(best)
