"""Spanish or English, for utterances as short as "sí" or "ok thanks".

Short utterances carry little evidence, so the word and character evidence is combined with what
is already known: the language the caller chose in the IVR or their stored preference (the
``hint``) and the languages of earlier turns. Words that exist in both languages ("no", "ok",
"internet", digits) count for nothing, so "no" keeps the conversation's language.

A guess is *clear* when the message alone says its language, whatever was known before: at least
two of its words point the same way and the evidence is strong (``CLEAR_EVIDENCE``). "hi, how much
do I owe?" and "u charged me twice" are clearly English; "ok", "si", "no thanks", digits and
names are not. The conversation switches language only on a clear message.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from contactpro.nlu.text import normalise

_ES_WORDS = frozenset(
    """
    a al algo alguien aqui asi ayer bien buen buena buenas buenos cancelar como con cual cuando
    cuanto cuenta cuota de del dinero donde el ella ellos en entonces es esa ese esta estan este
    esto estoy factura favor gracias hablar hace hacer hasta hay hola hoy la las le les lo los
    luego mal mas me mi mis mucho muy nada necesito ni nos nunca o otra otro para pague pagar
    pago pero persona plata poco por porque puedo que quiero saldo se senor senora servicio si
    sin solo son su sus tambien tengo tiene todo todos tu un una uno usted ustedes vamos ya yo
    manana senal llamo llame linea cobro cobran deuda plazo cuotas asesor adios chao claro dale
    listo vale bueno ahorita oiga oye mande pues nomas cedula numero documento dias tardes noches
    dolares pesos mes semana ahora todavia quisiera queria podria seria tenia estaba alguna ningun
    cual cuales ayuda ayudeme mire mira gustaria deseo desde llega llego sirve funciona
    correcto exacto afirmativo okey perfecto obvio confirmo acepto cierto negativo nop tampoco
    aceptan tienen venden operador cero uno dos tres cuatro cinco seis siete ocho nueve diez
    veinte treinta cuarenta cincuenta sesenta setenta ochenta noventa cien mil millones simon
    quiubo alo chao ninguno nel orale sale va cc pasaporte planes
    q k xq pq porq tb tmb xfa porfa grax msj dnd ke qe kiero debo cobraron cobrado veces doble
    cuesta cuestan precio movil ilimitado tienes puede quiere tengo llego factura recibo
    """.split()
)
_EN_WORDS = frozenset(
    """
    i you he she we they it is are was were be been am my your our their the a an and or but of
    to in on at for with from by about this that these those what which who when where why how
    can could would should will do does did don't dont not have has had hi hello hey thanks thank
    please yes yeah yep nope want need pay paid bill balance owe much many some any cancel
    service agent person talk speak help account number money today tomorrow yesterday week month
    good morning afternoon evening bye goodbye sure right wrong just still already again why
    there here my me it's i'm im that's whats what's internet's working doesn't isn't can't
    cant won't call called calling phone plan plans link send text email correct okay alright
    yup affirmative confirmed ahead perfect fine indeed nah incorrect negative never none way
    sir howdy greetings hiya yo heya sup gotta care later ya cheers tell order recommend one two
    three four five six seven eight nine ten zero oh twenty thirty forty fifty hundred thousand
    get me transfer worst ever customer id payment options representative operator human umm uh
    well blah mhm huh
    u ur r pls plz thx ty im ive ill wanna gonna cuz bc idk asap bill bills charge charges twice
    due late slow down cost price much unlimited mobile refund fee fees hasn't
    """.split()
)
# Both languages use these; they never count as evidence.
_SHARED = frozenset("no ok okay internet wifi plan app email link sms pse netflix".split())
_ES_CHARS = re.compile(r"[ñáéíóúü¿¡]")
_ES_ENDINGS = re.compile(r"(cion|ciones|mente|ado|ada|ando|iendo|amos|emos|ito|ita|aron|ieron)$")
# "-ed" only on words of four letters or more: "red" and "sed" are Spanish too.
_EN_ENDINGS = re.compile(r"(ing|tion|ly|'s|'t|'m|'re|'ll|'ve|\w\wed)$")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'"})  # phones type I\u2019m

WORD_WEIGHT = 1.2
HINT_WEIGHT = 1.0
PREVIOUS_WEIGHT = 0.6
APOSTROPHE_WEIGHT = 0.8
# A message is clear about its language with this much evidence from at least two words.
CLEAR_EVIDENCE = 2.0
CLEAR_WORDS = 2


@dataclass(frozen=True)
class LanguageGuess:
    """The chosen language and the probability the evidence gives it."""

    language: str
    confidence: float
    evidence: float  # log-odds from the utterance alone (>0 favours Spanish)
    clear: bool = False  # the utterance alone says its language, whatever the prior


def _word_evidence(raw: str) -> float:
    """Return log-odds for Spanish over English from one written word and its letters."""
    score = 2.0 * len(_ES_CHARS.findall(raw))
    if "'" in raw:
        score -= APOSTROPHE_WEIGHT  # don't, it's, I'm
    for word in normalise(raw).split():
        if word in _SHARED or word.isdigit():
            continue
        es, en = word in _ES_WORDS, word in _EN_WORDS
        if es and not en:
            score += WORD_WEIGHT
        elif en and not es:
            score -= WORD_WEIGHT
        elif not (es or en):
            if _ES_ENDINGS.search(word):
                score += 0.4
            elif _EN_ENDINGS.search(word):
                score -= 0.4
    return score


def _evidence(text: str) -> tuple[float, bool]:
    """Return log-odds for Spanish over English from ``text``, and whether they are clear."""
    scores = [_word_evidence(raw) for raw in text.lower().translate(_APOSTROPHES).split()]
    total = sum(scores)
    telling = sum(1 for score in scores if score * total > 0)
    return total, abs(total) >= CLEAR_EVIDENCE and telling >= CLEAR_WORDS


def detect_language(
    text: str,
    *,
    hint: str | None = None,
    previous: Sequence[str] = (),
    default: str = "es",
) -> LanguageGuess:
    """Return es or en for ``text``: its own language when it is clear, else its evidence
    combined with the hint and earlier turns."""
    evidence, clear = _evidence(text)
    if clear:
        p_es = 1.0 / (1.0 + math.exp(-evidence))
        return LanguageGuess("es" if evidence > 0 else "en", max(p_es, 1 - p_es), evidence, True)
    prior = 0.0
    if hint in ("es", "en"):
        prior += HINT_WEIGHT if hint == "es" else -HINT_WEIGHT
    for i, lang in enumerate(reversed(previous[-5:])):
        weight = PREVIOUS_WEIGHT / (1 + i)  # the latest turn counts most
        prior += weight if lang == "es" else -weight if lang == "en" else 0.0
    if prior == 0.0 and evidence == 0.0:
        return LanguageGuess(default, 0.5, 0.0)
    total = evidence + prior
    if total == 0.0:
        total = 1e-6 if default == "es" else -1e-6
    p_es = 1.0 / (1.0 + math.exp(-total))
    language = "es" if p_es >= 0.5 else "en"
    return LanguageGuess(language, max(p_es, 1 - p_es), evidence)
