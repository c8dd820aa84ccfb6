"""Debt negotiation as collection teams run it: tell the debt, offer, restate, agree, confirm.

Two cash settlements and the shortest instalment plan go on the table first. A refusal shows
the options neither shown nor refused yet (the longer plans), then a person: a refused offer is
never offered again, and nothing not allowed (a plan on a debt too small) is suggested. A
request for a number of payments ("6 cuotas", "dos pagos", "could you do 6 monthly payments")
or a month ("pagar en marzo") is answered with that plan when the policy allows it, or the
nearest allowed one and the reason. Nothing is booked until the customer says yes to one offer
restated with its amount, number of payments and first due date; a refusal, a question or a
counter-request never books.

A customer with several overdue accounts is asked which one the agreement is for. The managers'
maximum discount (configuration page) caps every offer. An account with an agreement in force is
told it first: the customer keeps it, or asks for another, which replaces it when booked (never
two active agreements on one account). Amounts of money said ("tengo 3 millones") are never a
number of payments or an option; a date to pay by that has just passed is said to be past.

A lone number that is no option's ("mejor en 4", "what about 4?") asks for that many payments,
never for an option's date. Money offered is answered as a counter-offer: a monthly budget ("80
mil al mes") with the shortest plan whose instalment fits it, else the lowest instalment; a sum
at once ("150 mil de una") with the single payment when it reaches it, else how much the single
payment is and a plan; a different first instalment with the plans' equal instalments. A second
amount that reaches nothing goes to a person. Details of a request said before a clarifying
question or identification ("lo del hogar, mejor a 12 cuotas") are kept.

A plan the customer cannot afford ("no me alcanza para 6 cuotas", "6 payments is too much for
me", "no me alcanza para el pago único") is refused like a number taken back ("tampoco doce"),
with every option of payments as large; an amount said as too dear ("6 cuotas de 75 mil no me
alcanza") is no budget offered. A bare yes to the list ("sí", "dale") is a customer
willing to pay who has not chosen: asked which option (the second time with each one named
briefly), never booked, and the third goes to a person told the customer wants to pay.

An option is named by its place ("la primera", "the last one") or its amount, written any way
("la de 382.500", "382500", "la de 382 mil", "150 lucas", "the 80 one"; to the half percent). An
option named and refused ("la de 382.500 no me alcanza", "no quiero la 1", "the second one is too
much") is never picked: it is refused like a plan too dear, and "la 3 no, la 2" takes the other.
A budget offered never fits a plan refused.

Other options are numbered anew, and the customer is told so: a number then is the new list's
("la 1"), restated before anything is booked. A place only the list before has ("la 3" of two)
is never taken by its old number: the new list is said with what that number was; "la
primera que me ofreciste", "the first one you offered", "la 3 de antes" or an amount shown
before take back that option, restated before anything is booked.

"¿Qué acuerdo hice?" is answered with the agreements in force (or that none is, nothing booked
yet); "no, mejor la 1" takes another option instead of the one restated; a question about
another of the customer's accounts is answered and the negotiation goes on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from contactpro.console.settings import current_config
from contactpro.dialog import accounts, agreements, identity, sms
from contactpro.dialog.agreements import percent
from contactpro.dialog.amounts import (
    spoken_amount,
    stated_amount,
    stated_amounts,
    without_amounts,
)
from contactpro.dialog.confirmations import send_confirmation
from contactpro.dialog.context import ESCALATE, Decision, TurnContext
from contactpro.dialog.dates import MONTHS, said_date
from contactpro.dialog.handlers import billing
from contactpro.dialog.offers import (
    DebtPolicy,
    Offer,
    instalment_plans,
    opening_offers,
    requested_plan,
    settlement_offers,
)
from contactpro.dialog.options import named_option
from contactpro.models import Account, PaymentAgreement
from contactpro.nlu.numbers import number_breaks, words_to_digits
from contactpro.nlu.rules import AGREEMENT_ASKED, paid_before, parse_number
from contactpro.nlu.text import fold, normalise, numeric_form

_PAYMENTS = (
    r"(cuotas?|pagos?|meses|mensualidades|plazos?|contados?|partes|payments?|instal+ments?|"
    r"months?|monthly payments?|installments?)"
)
# "30 a month", "80 al mes": money a month, never a number of payments.
_A_MONTH = r"(?:a|per|each|every|al|por|cada) (?:month|mes)\b"
# "6 cuotas", "dos pagos", "6 monthly payments", "12 cuotas mensuales": a number of payments
# (the word between is never a number: "no 12, 6 cuotas" asks for 6).
_COUNT = re.compile(rf"\b(\d{{1,2}})\s+(?!{_A_MONTH})(?:(?!\d)\w+\s+)?{_PAYMENTS}\b")
# A count taken back: "no 12", "no quiero 12 cuotas", "no puedo pagar en 12 cuotas", "not 12
# instalments", "I can't do 12 payments", "12 cuotas no", "12 instalments doesn't work". The number
# said instead, if any, is the one asked for; a negation takes back the number right after it
# only ("no 12 cuotas 6 cuotas" asks for 6). A plan the customer cannot afford is taken back too:
# "no me alcanza para 6 cuotas", "I can't afford to pay 6 instalments", "6 cuotas es mucho",
# "6 payments is too much for me", "seis cuotas no las puedo pagar", "no me alcanza pa 6 cuotas",
# "no alcanzo a pagar 6 cuotas".
_TAKEN_BACK_BEFORE = re.compile(
    r"\b(?:no|not|ni|nunca|tampoco|never|can'?t|cannot|don'?t|dont|won'?t|couldn'?t)"
    r"(?: (?!mas\b|more\b|menos\b|less\b|\d)\w+){0,2}(?: (?:para|pa|a|for|to)(?: (?:pagar|pay))?)?"
    r"(?: (?:en|in|de|of|a|con|with))?\s*$"
)
# "6 cuotas de 75 mil no me alcanza": the size said of the payments (taken out as an amount, or
# a bare number) comes between the count and what takes it back.
_TAKEN_BACK_AFTER = re.compile(
    r"^\s*(?:(?:de|of)(?: \d+(?:[.,]\d+)?)? )?"
    r"(?:(?:no|not|nope)\b(?!\s*\d)|(?:i |we )?(?:doesn'?t|dont|don'?t|won'?t|isn'?t|"
    r"can'?t|cannot|is too|are too|is a lot|are a lot|es (?:mucho|demasiado)|"
    r"son (?:muchas|mucho|demasiad[oa]s))\b)"
)
# A plan refused as too dear, not merely unwanted ("no me alcanza para 12 cuotas", "12 payments
# is too much for me", "that's a lot of money"): no plan whose payments are as large is offered
# instead ("thanks a lot", "I like it a lot" say nothing of the price).
_UNAFFORDABLE = re.compile(
    r"\b(?:alcanza|alcanzo|afford|affordable|demasiad[oa]s?|es mucho|son muchas|too much|too high|"
    r"(?:is|are|s|was|way|too) a lot|a lot of money|too expensive|muy car[oa]s?|es mucha|"
    r"mucha plata|muy alt[oa]s?|too steep)\b"
)
# A separator before three digits is a thousands one ("6 cuotas de 75.000 no me alcanza").
_CLAUSES = re.compile(
    r"(?:[;:!?¿¡]|[,.](?!\d{3}(?!\d)))+|\b(?:sino|but|pero|mejor|rather|instead)\b"
)
# The same turns where money may be said: a separator between digits ("150.000") splits nothing.
_MONEY_CLAUSES = re.compile(
    r"[;:!?¿¡]+|[,.](?!\d)|(?<!\d)[,.]|\b(?:sino|but|pero|mejor|rather|instead)\b"
)
# "no me alcanza para más de 50 mil al mes", "I can't afford more than 50": a most, offered.
_AT_MOST = re.compile(r"\b(?:mas de|more than)\b")
# Where a transcript without commas turns from a number taken back to the one said instead: a
# number before another ("no 12 no 6", "not 12 6 payments", "12 cuotas 6 cuotas").
_NUMBER_THEN_NUMBER = re.compile(rf"\b\d{{1,2}}(?: {_PAYMENTS})?(?: (?:no|not))?(?= \d)")
_LONE_NUMBER = re.compile(r"\b(\d{1,2})\b")
# "hace 2 meses", "3 months ago", "llevo 3 meses sin trabajo", "2 pagos atrasados": a time or a
# debt described, not a number of payments asked for.
_NOT_A_REQUEST = re.compile(
    rf"\b(?:(?:desde )?hace|llevo|lleva|llevamos|ultimos|last|past|been|for the last|"
    rf"for the past)\s+(?:\w+\s+)?\d{{1,2}}\s+(?:\w+\s+)?{_PAYMENTS}\b|"
    rf"\b\d{{1,2}}\s+(?:\w+\s+)?{_PAYMENTS}\s+(?:ago|atras|atrasad[oa]s|sin|without|de mora|"
    rf"vencid[oa]s|past due|late|behind|overdue)\b"
)
# A number of months said with a refusal tells a story ("sin trabajo por 3 meses, no puedo");
# a number of cuotas or payments is still asked for ("ninguna, mejor en 6 cuotas").
_TIME_UNIT = re.compile(r"(meses|months?)$")
_INSTALMENTS = re.compile(r"\b(cuotas?|plazos?|instal+ments?|monthly payments?|payment plan)\b")
# Words of a plan a lone number counts the payments of: "¿cuánto queda cada cuota si lo hago a
# 12?", "how much would each payment be in 12".
_EACH_PAYMENT = re.compile(rf"{_INSTALMENTS.pattern}|\b(?:each|every|cada) (?:payment|pago)\b")
# Another amount said alone after money was offered: "entonces 300 mil", "what about 150?".
_AMOUNT_AGAIN = re.compile(
    r"^(?:(?:y|e|and|entonces|pues|bueno|ok|okay|mejor|then|so|well|what about|how about|"
    r"que tal|y si|and if|con|with|si|if|le doy|te doy|i can do|i can pay)\s)*"
    r"(\d+(?:[.,]\d+)?)(?:\s(?:mil|lucas|pesos|dolares|dollars|bucks))?"
    r"(?:\s(?:then|entonces|pues|instead|mejor|al mes|a month))?$"
)
# The balance asked in the middle of negotiating: "¿y cuánto debo en total?", "how much do I owe
# in total?" ("¿cuánto debo pagar por cuota?" asks about a plan).
_BALANCE_ASKED = re.compile(
    r"\b(?:cuanto (?:es lo que )?(?:le |les )?(?:debo|debe|adeudo)(?! pagar| dar| abonar)|"
    r"cuanto es (?:mi|la) deuda|(?:mi|el) saldo|deuda total|total de (?:mi|la) deuda|"
    r"how much (?:do i|i) owe|what do i owe|how much is my (?:debt|balance)|"
    r"what(?:s| is) my (?:balance|debt)|my total debt)\b"
)
# "la de internet en 3", "the mobile one in 6": a count said last of the account it names.
_IN_A_COUNT = re.compile(r"\b(?:en|a|in) (\d{1,2})(?: (?:porfa|por favor|please))?$")
_ENDING = re.compile(r"\b(?:termina\w*|acaba\w*|ending|ends?)\b")
# "de una" alone is a Colombian "sure"; "pagar de una", "de una vez" is paying all at once.
_LUMP_SUM = re.compile(
    r"\b(contado|unico|una sola|de una vez|pag\w* (?:todo )?de una|todo de una|lump|single|"
    r"one payment|all at once|in full)\b"
)
# The single payment named whole, to be taken back like a count: "no me alcanza para el pago
# único", "the single payment is too much", "no puedo pagar de contado".
_SINGLE_PAYMENT = re.compile(
    rf"(?:\b(?:el|la|un|una|the|a|an) )?(?:\b(?:pago|payment) )?{_LUMP_SUM.pattern}"
    r"(?: (?:pago|payment))?"
)
_REFUSAL = re.compile(
    r"\b(no puedo|ninguna|ninguno|none|neither|can'?t|cannot|no me sirve|muy caro|"
    r"too (much|expensive)|no tengo|doesn'?t work|don'?t work|no acepto|no quiero|no gracias|"
    r"no thanks|i don'?t want|no deal|not agreed|no me conviene|no me parece|"
    r"no (estoy|esta|es) de acuerdo|(don'?t|do not) agree|disagree|not (a )?good)\b"
)
# Every option refused at once: "ninguna me sirve", "none of those work for me".
_ALL_REFUSED = re.compile(r"\b(ninguna|ninguno|none|neither)\b")
_OPTIONS = re.compile(
    r"\b((que|cuales|otras) (opciones|alternativas)|opciones (hay|tengo)|what (are )?(my |the )?"
    r"options|which options|options do i have|other options|what can you offer|"
    r"que me (ofrece|ofreces|puede ofrecer))\b"
)
# Words that accept the offer. "de acuerdo a/con" is "according to", "what's the deal" and
# "can you confirm" ask: a question is caught before these are read.
_ACCEPT = re.compile(
    r"\b(acepto|aceptamos|de acuerdo(?! (?:a|al|con|en)\b)|dale|listo|confirmo|registralo|"
    r"hagamoslo|de una|i accept|(?:let'?s )?do it|agreed|(?:^|it'?s a |its a )deal|go ahead|"
    r"sounds good|(?:^|i )confirm)\b"
)
# A plain yes said first: "si claro", "yes please", "ok".
_YES = re.compile(
    r"^(si|sip|simon|yes|yeah|yep|yup|ok|okay|okey|claro|sure|of course|por supuesto|perfecto|"
    r"perfect|vale|bueno|bien|fine)\b"
)
# Idioms that start with "no" and mean yes: "no hay problema", "no problem", "no pues sí".
_NO_THAT_IS_YES = re.compile(
    r"\b(no hay (?:ningun )?problema|sin problema|no problem|no worries|no te preocupes|"
    r"como no|no pues|no,? why not)\b"
)
_NEGATION = re.compile(r"\b(no|not|nope|nah|never|nunca|don'?t|dont|isn'?t|won'?t)\b")
_MORE_DISCOUNT = re.compile(
    r"\b((mas|mayor|mejor|otro) descuento|descuento (mayor|mas grande|mejor)|"
    r"(more|bigger|better|higher|larger) discount|discount (of )?\d+)\b"
)
_HESITATION = re.compile(
    r"\b(pensarlo|pensar|lo pienso|lo voy a pensar|despues|luego|mas tarde|no se|"
    r"no estoy segur[oa]|tal vez|quizas|think about|think it over|later|not sure|maybe|perhaps)\b"
)
# Answers to "you already have an agreement: change it?": keep it, or another one.
_KEEP = re.compile(
    r"\b(mantener\w*|mantengo|mantenlo|dejalo|dejarlo|lo dejo|dejemoslo|sigo con|seguir con|"
    r"keep|leave it|stick with|stay with|el mismo|the same)\b"
)
_REPLACE = re.compile(
    r"\b(cambiar\w*|cambialo|cambio|reemplaz\w*|otro|otra|nuevo|nueva|change|replace|switch|"
    r"new one|another|different)\b"
)
# "no lo quiero cambiar", "don't change it"; "no lo mantengas", "I don't want to keep it".
_NOT = r"\b(?:no|not|don'?t|dont|do not)\s+(?:(?:lo|la|it|to|want|want to|quiero|quisiera)\s+)*"
_NOT_CHANGE = re.compile(_NOT + r"(?:cambi|reemplaz|change|replace|switch)")
_NOT_KEEP = re.compile(_NOT + r"(?:manten|mantien|dej|keep|stick|stay)")
# "mejor en 4", "what about 4?", "y en 5?": a lone number, last or followed by filler only.
_BARE_NUMBER = re.compile(
    r"^(?:[a-z']+ ){0,6}?(\d{1,2})(?: (?:mejor|entonces|pues|mas bien|porfa|por favor|then|"
    r"instead|please|maybe|better))*$"
)
# "el 4", "the 4", "January 4", "la opción 4": a day or an item, not a number of payments.
_DAY_OR_ITEM = re.compile(
    r"\b(el|la|lo|del|the|dia|day|on|hasta|until|by|antes|before|opcion|option|numero|number|"
    + "|".join(MONTHS)
    + r")$"
)
# Money offered a month: "80 mil al mes", "cuotas de 50 mil", "$100 a month".
_PER_MONTH = re.compile(
    r"\b(al mes|por mes|cada mes|mensual\w*|por cuota|de cuota|cuotas? de?|a month|per month|"
    r"each month|every month|monthly|an? instal+ment|per instal+ment|instal+ments? of|"
    r"payments? of)\b"
)
# Money offered at once: "150 mil de una y quedamos a paz y salvo", "$100 to settle it".
_AT_ONCE = re.compile(
    r"\b(de una|contado|paz y salvo|saldar\w*|liquidar\w*|todo|total|una sola|unico|"
    r"settle\w*|in full|clear|lump|all|once|one payment|single)\b"
)
# Money the customer says they can pay: "puedo pagar 150 mil", "I can give you $100".
_MONEY_OFFERED = re.compile(
    r"\b(puedo|podria|alcanzo|alcanza|tengo|tendria|doy|dar|pago|pagar|pagaria|ofrezco|"
    r"abonar|can|could|have|got|afford|pay|give|offer)\b"
)
# A bare number said as money: "30 a month", "I can pay 60 today", "puedo dar 500 al mes",
# "en cuotas de 80", "in instalments of 80" (the size of each payment, never their number).
_BARE_MONEY = re.compile(
    rf"\b(?P<a>\d+(?:[.,]\d{{1,2}})?) {_A_MONTH}|"
    r"\b(?:(?:puedo|podria|alcanzo a|doy|dar|pagar|pagaria|ofrezco|abonar|afford|pay|give|offer)"
    r"(?: (?:you|le|les|te|like|about|around|unos|como))?|(?:cuotas?|abonos?|mensualidades|"
    r"pagos?|instal+ments?|payments?) (?:de|d|of)(?: (?:a|unos|about|around|like))?) "
    r"(?P<b>\d+(?:[.,]\d{1,2})?)\b"
    r"(?! (?:cuotas?|pagos?|meses|partes|payments?|instal+ments?|months?|de \w+|of \w+)\b)"
)
# The first instalment asked to differ: "menos en la primera cuota", "a smaller first payment".
_FIRST_INSTALMENT = re.compile(
    r"\b(primera cuota|primer pago|primera mensualidad|cuota inicial|first (?:instal+ment|"
    r"payment|month)|initial payment|down ?payment)\b"
)
# A plan's first payment asked to fall on a day: "¿puedo pagar la primera el 20?", "can I start
# on the 20th?"; the day is the plan's start, never a single payment due then.
_STARTING = re.compile(
    r"\b(empez\w*|comenz\w*|comienz\w*|inici\w*|arranc\w*|start\w*|begin\w*|"
    r"pag\w* la primera|la primera (?:el|para|en|hasta)|the first (?:on|in|by))\b"
)
_ROUGHLY = re.compile(r"\b(mas o menos|more or less)\b")
_DIFFERENT = re.compile(
    r"\b(menos|mas (?:baj|pequen|chic|alt|grande)\w*|baj\w*|reduc\w*|cambi\w*|distint[oa]|"
    r"diferente|less|more|lower|higher|smaller|bigger|reduce|change|different)\b"
)
AWAITING_KEEP = "agreement_keep"
# An account picked by the age of its debt: "la más vieja", "the older one", "the newer one".
_OLDER = re.compile(
    r"\b(mas (?:viej|antigu)[oa]|(?:la|el) (?:viej|antigu)[oa]|older|oldest|la de mas mora|"
    r"(?:la|el) de hace mas tiempo)\b"
)
_NEWER = re.compile(
    r"\b(mas (?:nuev|recient)[oa]?|(?:la|el) (?:nuev|recient)[oa]?|newer|newest|"
    r"(?:the )?(?:most |more )?recent(?: one)?|la de menos mora)\b"
)
# A question about another of the customer's own accounts in the middle of the negotiation ("¿y
# la otra cuenta cuánto debe?", "how much do I owe on the other account?", "¿y la 0000100186?"):
# answered, then the negotiation goes on. Taking the other account up instead ("mejor la otra",
# "let's do the other one") and the other option ("la otra opción") are no such question.
_ABOUT_AN_ACCOUNT = re.compile(
    r"\b(cuanto|debe|debo|deuda|saldo|mora|how much|owe|owes|owing|debt|balance)\b"
)
_TAKE_UP_OTHER = re.compile(
    r"\b(mejor|prefiero|cambiar\w*|cambia|pasemos|hagamos|hacer|negociar|acuerdo|instead|rather|"
    r"switch|let'?s do|prefer|negotiate|agreement|deal)\b|"
    r"\botr[oa]s? (?:opcion|oferta|alternativa|cuota|plan|pago|option|offer|payment)"
)
# A no that takes another option instead: "no, mejor la 1", "no, prefiero el pago único", "no,
# I'd rather take the single payment" ("no quiero la 1" is a refusal of it).
_CHANGE_OF_MIND = re.compile(
    r"\b(mejor|prefiero|preferiria|mas bien|me quedo con|dame|better|rather|instead|prefer|"
    r"actually|i'?ll take|give me)\b"
)
# A no that opens a correction: "no espera", "no perdón", "no wait", "no, I mean".
_CORRECTING = r"espera|esperate|perdon|disculpa|digo|quise decir|wait|sorry|hold on|i mean|i meant"
_NO_LEAD = rf"^(?:no|nope|nah)(?: (?:{_CORRECTING}))*"
# A no opening a correction said without a pause: "no en 6 cuotas", "no espera 6 cuotas", "no
# wait 6 payments", "no I want 6" ("no 6 cuotas" and "no quiero 6 cuotas" refuse 6).
_NO_BEFORE_INSTEAD = re.compile(
    rf"^(?:no|nope|nah)(?: no)*(?:(?: (?:{_CORRECTING}))+|(?= (?:en|in|a|con|with|i want|"
    r"i'?d like|i would like|i need|make it|let'?s do|lets do|how about|what about)\b))"
)
# "no, la 2", "no espera, la 2", "no wait, option 2": a no and what is said instead.
_NO_THEN = re.compile(_NO_LEAD + r"(?P<rest>.*)$")
# A no taken back by a yes: "no, sí quiero", "no espera, sí", "no wait, yes I want it". Neither a
# refusal nor a yes clear enough to book: the question is asked again.
_NO_THEN_YES = re.compile(_NO_LEAD + r"(?: (?:mejor|actually))? (?:si|sip|yes|yeah|yep|claro)\b")
# A no opening the option said instead without a pause: "no la 2", "no no la primera", "no espera
# la 1", "no wait the second one" ("no quiero la 1", "no me sirve la 1" refuse it).
_NO_THEN_NAMED = re.compile(
    rf"^(?:no|nope|nah)(?: (?:no|nope|nah))*"
    rf"(?:(?: (?:{_CORRECTING}))+|(?= (?:la|el|lo|las|los|the|option|opcion)\b))"
)
# "ni la 1 ni la 2", "tampoco la de 150": the option named is refused too.
_NOR = re.compile(r"\b(ni|tampoco|nor)\b")
# "no sé, la 2": a doubt, no refusal ("no se puede" is one).
_NOT_SURE = re.compile(r"\bno (?:se|estoy segur[oa])\b(?! puede)")
# A bare number said of an option, as money: "la de 382500", "the 80 one", "la de 150" (thousands
# of pesos); never a count ("6 cuotas"), a percent, a day ("el 15 de enero", "the 20th").
_BARE_AMOUNT = re.compile(
    rf"(?<![\d.,])\b(\d+(?:[.,]\d+)?)\b(?![.,]?\d)(?!\s*(?:%|por ?ciento|percent)|"
    rf"(?:st|nd|rd|th)\b|\s+(?:de |of )?(?:{'|'.join(MONTHS)})\b|\s+(?!{_A_MONTH})(?:\w+\s+)?"
    rf"{_PAYMENTS}\b)"
)
_DAY_BEFORE = re.compile(
    r"\b(?:dia|day|on|hasta|until|by|antes|before|despues|after|desde|since|"
    + "|".join(MONTHS)
    + r")$"
)
# An option referred to ("la 2", "la de 150000", "the second one"), and where a transcript without
# commas turns to the next one: "la segunda no me alcanza la tercera sí", "no quiero la 1 ni la 2".
_OPTION_REFERENCE = (
    r"(?:la|el|lo|the) (?:de |del |of |opcion |option )?(?:\d|\$|primer|segund|tercer|cuart|"
    r"quint|ultim|first|second|third|fourth|fifth|last)"
)
_NEXT_OPTION = re.compile(rf" (?=(?:(?:ni|nor|y|and|pero|but) )?{_OPTION_REFERENCE})")
# A number of payments said with its preposition: "en dos", "a 6", "in two" (never option 2).
_IN_COUNT = re.compile(
    r"^(?:(?:quiero|mejor|pues|entonces|mas bien|prefiero|i want|i'?d like|let'?s do|lets do|"
    r"make it|maybe|ok|okay|si|yes)\s)*(?:en|a|in)\s(\d{1,2})"
    r"(?:\s(?:mejor|entonces|pues|porfa|por favor|please|then|instead))*$"
)
# "la de dos", "el de 6": the plan of that many payments, when one is listed.
_OF_COUNT = re.compile(r"^(?:la|el|lo) de (\d{1,2})(?: (?:porfa|por favor))?$")
# "dos", "la 2", "the three one": an option's place or a number of payments, said alone.
_PLACE_OR_COUNT = re.compile(
    r"^(?:la|el|lo|the|number|numero)?\s?(\d{1,2})(?: one)?(?: (?:porfa|por favor|please))?$"
)
# An option of the list shown before the other options ("la primera que me ofreciste", "la de
# antes", "the first one you offered", "the one before"); "antes del 10 de diciembre" is a date.
_EARLIER = re.compile(
    rf"\b(?:antes(?! del? (?:\d|{'|'.join(MONTHS)}))|anterior\w*|primera lista|al principio|"
    r"(?:que|q) me (?:ofreciste|ofrecio|ofrecieron|diste|dio|dijiste|dijo|mencionaste|"
    r"habias ofrecido|habia ofrecido)|you (?:first )?(?:offered|gave|mentioned|said|told me)|"
    rf"before(?! (?:the )?(?:\d|{'|'.join(MONTHS)}))|earlier|previous\w*|first list|at first|"
    r"original\w*)\b"
)
# An amount names an option when it is the option's to the half percent: "382 mil" is the single
# payment of 382.500, "416 mil" the one of 416.250.
_NEAR = Decimal("0.005")
# A "yes" booking an agreement must be clear: a rule, the LLM, or a confident model.
AFFIRM_MIN_CONFIDENCE = 0.5
# A question, with or without its mark (a call's transcript has none): "y cuándo pago la
# primera cuota", "can you confirm the amount", "what's the deal with the discount".
_WH = (
    r"que|cual|cuales|como|cuanto|cuanta|cuantos|cuantas|cuando|donde|por que|quien|what|"
    r"what'?s|whats|which|how|when|where|why|who"
)
_QUESTION_WORDS = re.compile(
    rf"^(?:(?:y|and|pero|but|ok|okay|oye|bueno|entonces|so|hmm+|mm+)\s+)*"
    rf"({_WH}|hay|puedo|puede|pueden|podria|podrias|podrian|se puede|tengo que|hay que|"
    rf"me explica\w*|can|could|is|are|do(?! it\b)|does|did|will|would|should|if)\b|"
    rf"^(?:si|yes|sure|ok|okay|vale)\s+({_WH})\b"
)
_MONTH_LIST = {
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre".split(),
    "en": "January February March April May June July August September October November "
    "December".split(),
}
SPOKEN = {
    "es": ("uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez"),
    "en": ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
}


def _as_slot(offer: Offer) -> dict[str, Any]:
    return {
        "code": offer.code,
        "kind": offer.kind,
        "debt": str(offer.debt),
        "total": str(offer.total),
        "discount": str(offer.discount_pct),
        "amounts": [str(a) for a in offer.amounts],
        "first_due": offer.first_due.isoformat(),
    }


def _from_slot(data: dict[str, Any]) -> Offer:
    return Offer(
        data["code"],
        data["kind"],
        Decimal(data["debt"]),
        Decimal(data["total"]),
        Decimal(data["discount"]),
        tuple(Decimal(a) for a in data["amounts"]),
        date.fromisoformat(data["first_due"]),
    )


def policy_for(ctx: TurnContext) -> DebtPolicy:
    """Return the debt policy: the environment's tiers within the managers' maximum discount."""
    cap = current_config(ctx.session, ctx.settings)["offer_max_discount_percent"]
    return DebtPolicy.from_settings(ctx.settings, discount_cap=cap)


def describe(ctx: TurnContext, offer: Offer, currency: str) -> str:
    """Say one offer in the conversation's language."""
    return agreements.say_terms(
        ctx,
        offer.kind,
        offer.total,
        offer.discount_pct,
        offer.first_due,
        (offer.instalments, offer.amounts[0], offer.amounts[-1]),
        currency,
    )


def _spoken_form(text: str) -> str:
    """Return the text folded, numbers as digits, without the amounts of money it says and the
    times it describes ("tengo 3 millones", "hace 2 meses")."""
    return _NOT_A_REQUEST.sub(" ", words_to_digits(normalise(without_amounts(text))))


def chosen(text: str, offers: list[Offer], described: Sequence[str] = ()) -> Offer | None:
    """Return the offer the customer picked from the list, by number, ordinal or kind, or by
    the words of its ``described`` text ("la del 15 % de descuento", "the 416,250 one")."""
    norm = normalise(text)
    if _COUNT.search(_spoken_form(text)):
        return None  # "dos pagos" asks for two payments; it does not pick option two
    if _single_taken_back(text):
        return None  # "el pago único de 382.500 no me alcanza" refuses what it names
    picks = accounts.positions(without_amounts(text), len(offers), _NOT_A_REQUEST)
    if len(picks) == 1:
        return offers[picks[0] - 1]
    if len(by_amount := _by_amount(text, offers)) == 1:
        return by_amount[0]  # "la de 382 mil", "the 80 one", "la de 150 lucas"
    if _INSTALMENTS.search(norm):
        plans = [o for o in offers if o.kind == "instalments"]
        return plans[0] if len(plans) == 1 else None
    if (lump := _lump_sum(text, offers)) is not None:
        return lump
    named = named_option(_naming_words(text, offers), described)
    return offers[named] if named is not None and named < len(offers) else None


def _said_amounts(text: str, count: int) -> list[Decimal]:
    """Return the amounts of money ``text`` says: every one stated ("382.500", "150 lucas",
    "$80", both of "ni 382 mil ni 150 mil") and the bare numbers past the ``count`` places of a
    list ("la de 382500", "the 80 one"); a count, a day or a percent is none."""
    said = stated_amounts(text)
    rest = without_amounts(text)
    for match in _BARE_AMOUNT.finditer(rest):
        value = parse_number(match.group(1))
        if value is not None and value > count and not _DAY_BEFORE.search(rest[: match.start()]):
            said.append(value)
    return said


def _by_amount(text: str, offers: Sequence[Offer]) -> list[Offer]:
    """Return the offers an amount said names by their total or payment: as said, or in
    thousands when said below a thousand ("la de 150" is 150.000 pesos); exactly, else to the
    half percent ("382 mil" is the 382.500 one). Each amount said names its own ("ni 382 mil ni
    150 mil" names both)."""
    hits: dict[str, Offer] = {}
    for amount in _said_amounts(text, len(offers)):
        forms = [amount, amount * 1000] if amount < 1000 else [amount]
        for near in (Decimal(0), _NEAR):
            named = [
                o
                for o in offers
                if any(abs(a - v) <= v * near for a in forms for v in {o.total, *o.amounts})
            ]
            if named:
                hits.update((o.code, o) for o in named)
                break
    return list(hits.values())


def _named(
    text: str, listed: list[Offer], described: Sequence[str], others: list[Offer]
) -> list[Offer]:
    """Return the options ``text`` names: by place in ``listed`` ("la 1", "la primera", "the
    last one"), by amount among ``listed``, else among ``others`` ("the 40 one"), or by its
    words ("el pago único")."""
    places = accounts.positions(without_amounts(text), len(listed), _NOT_A_REQUEST)
    named = [listed[p - 1] for p in places]
    named += _by_amount(text, listed) or _by_amount(text, others)
    if not named and (pick := chosen(text, listed, described)) is not None:
        named.append(pick)
    return list({o.code: o for o in named}.values())


def _refuses(clause: str, first: bool) -> bool:
    """Return True when ``clause`` refuses what it names: "la 1 no", "no quiero la de 150 mil",
    "ni la 2", "the 150 one is too much", "la 2 por favor, no la 1" ("no la 2" opening the turn,
    ``first``, "no sé, la 2" and "no hay problema con la 3" take it)."""
    if _too_dear(clause):
        return True
    plain = _NOT_SURE.sub(" ", _NO_THAT_IS_YES.sub(" ", normalise(clause))).strip()
    if _REFUSAL.search(plain):
        return True
    if first:
        plain = _NO_THEN_NAMED.sub(" ", plain)
    return bool(_NEGATION.search(plain) or _NOR.search(plain))


def bare_count(text: str, offers: Sequence[Offer]) -> int | None:
    """Return the number of payments a lone number asks for ("mejor en 4", "what about 4?")
    while plans are among ``offers``; a listed option's number, a day ("el 4") or an item ("la
    opción 4") is none."""
    if not any(o.kind == "instalments" for o in offers):
        return None
    spoken = _spoken_form(text)
    if (match := _BARE_NUMBER.match(spoken)) is None:
        # "12 no, mejor 6", "no doce no seis": the number said after one taken back
        *before, last = _clauses(text) or [""]
        if not _NEGATION.search(" ".join(before)):
            return None
        spoken = last
        if (match := _BARE_NUMBER.match(spoken)) is None:
            return None
    count = int(match.group(1))
    if count <= len(offers) or count > 60 or _DAY_OR_ITEM.search(spoken[: match.start(1)].strip()):
        return None
    return None if count == _lone_taken_back(text) else count  # "tampoco doce" refuses 12


def money_offered(text: str, offers: Sequence[Offer]) -> tuple[str, Decimal | None] | None:
    """Return what the money the customer offers is: ``("first", amount)`` a different first
    instalment, ``("budget", amount)`` a month, ``("lump", amount)`` at once; None for an amount
    that names an option ("la de 416.250") or no money offered. An amount said as too dear
    ("6 cuotas de 75 mil no me alcanza", "I can't afford 3 payments of 80") is none offered."""
    clauses = _MONEY_CLAUSES.split(fold(text))
    if any(_too_dear(c) for c in clauses):
        text = ", ".join(c for c in clauses if not _too_dear(c))
    norm, amount = normalise(text), stated_amount(text)
    if amount is None and (bare := _BARE_MONEY.search(numeric_form(text))) is not None:
        amount = parse_number(bare.group("a") or bare.group("b"))
    offered = {a for o in offers for a in (o.total, *o.amounts)}
    change = _DIFFERENT.search(_ROUGHLY.sub(" ", norm))
    if _FIRST_INSTALMENT.search(norm) and (
        change or (amount is not None and amount not in offered)
    ):
        return "first", amount
    if amount is None:
        return None
    if _PER_MONTH.search(norm):
        return "budget", amount
    if _AT_ONCE.search(norm) or _LUMP_SUM.search(norm):
        return "lump", amount
    if _MONEY_OFFERED.search(norm) and amount not in offered:
        return "lump", amount
    return None


def _too_dear(clause: str) -> bool:
    """Return True when ``clause`` says what it names is not affordable ("no me alcanza", "is
    too much", "I can't afford"); "me alcanza 50 mil" and "no more than 50" offer money."""
    norm = normalise(clause)
    said = _UNAFFORDABLE.search(norm)
    if said is None or _AT_MOST.search(norm):
        return False
    negated = _NEGATION.search(norm) or _REFUSAL.search(norm)
    return bool(negated) or not _MONEY_OFFERED.fullmatch(said.group(0))


def _naming_words(text: str, offers: list[Offer]) -> str:
    """Return the words that may name an option by its own words: an amount said is kept only
    when it is an option's ("the 416,250 one"), not when it is money the customer has."""
    said = stated_amount(text)
    if said is None or any(said == o.total or said in o.amounts for o in offers):
        return text  # as written: "7,5 %" stays the discount an option names
    return without_amounts(text)


def _lump_sum(text: str, offers: list[Offer]) -> Offer | None:
    """Return the first single payment of ``offers`` when the customer pays it all at once
    ("no me alcanza para el pago único" takes it back)."""
    if not _LUMP_SUM.search(normalise(text)) or _single_taken_back(text):
        return None
    settlements = [o for o in offers if o.kind == "settlement"]
    return settlements[0] if settlements else None


def requested_count(text: str) -> int | None:
    """Return the number of payments the customer asks for ("6 cuotas", "dos pagos"), if any.

    A time or a debt described ("perdí el trabajo hace 2 meses", "3 months ago") asks for none.
    """
    return _counts(text)[0]


def _counts(text: str) -> tuple[int | None, list[int]]:
    """Return the number of payments ``text`` asks for, if any, and the numbers it takes back
    ("no puedo pagar en 6 cuotas", "not 12, 6 payments")."""
    taken_back: list[int] = []
    for spoken in _clauses(text):
        for match in _COUNT.finditer(spoken):
            if _TAKEN_BACK_BEFORE.search(spoken[: match.start()]) or _TAKEN_BACK_AFTER.match(
                spoken[match.end() :]
            ):
                taken_back.append(int(match.group(1)))
                continue
            if _TIME_UNIT.match(match.group(2)) and _REFUSAL.search(normalise(text)):
                return None, taken_back  # "out of work for 3 months, that doesn't work for me"
            count = int(match.group(1))
            return (count if 0 < count <= 60 else None), taken_back
        if taken_back and not _COUNT.search(spoken) and (instead := _said_instead(spoken)):
            return instead, taken_back
    if not taken_back and (lone := _lone_taken_back(text)) is not None:
        taken_back.append(lone)
    return None, taken_back


def _lone_taken_back(text: str) -> int | None:
    """Return the one number ``text`` says when it is taken back, as a count said after the
    plans: "tampoco doce", "ni 12" ("no doce no seis" says 6 instead; "no la 2" is an item)."""
    said = [(spoken, m) for spoken in _clauses(text) for m in _LONE_NUMBER.finditer(spoken)]
    if len(said) != 1:
        return None
    spoken, match = said[0]
    before = spoken[: match.start()]
    if not _TAKEN_BACK_BEFORE.search(before) or _DAY_OR_ITEM.search(before.strip()):
        return None
    count = int(match.group(1))
    return count if 1 < count <= 60 else None


def _counts_refused(text: str) -> bool:
    """Return True when ``text`` takes back a number of payments, or the single payment, and
    asks for none instead: "no me alcanza para seis cuotas", "6 cuotas es mucho", "I can't
    afford six instalments", "tampoco doce", "no me alcanza para el pago único"."""
    count, taken_back = _counts(text)
    return count is None and bool(taken_back or _single_taken_back(text))


def _single_taken_back(text: str) -> bool:
    """Return True when ``text`` takes back the single payment as it takes back a count: "no me
    alcanza para el pago único", "the single payment is too much", "I can't afford the single
    payment" ("no, mejor el pago único" asks for it)."""
    for spoken in _clauses(text):
        for match in _SINGLE_PAYMENT.finditer(spoken):
            if _TAKEN_BACK_BEFORE.search(spoken[: match.start()]) or _TAKEN_BACK_AFTER.match(
                spoken[match.end() :]
            ):
                return True
    return False


def _clauses(text: str) -> list[str]:
    """Return the clauses of ``text`` in spoken form, split where it turns: at punctuation, "sino",
    "but", "mejor", and where a transcript without commas turns from what is taken back to what
    is said instead ("no en seis cuotas", "no doce no seis", "not twelve six payments")."""
    clauses: list[str] = []
    for clause in _CLAUSES.split(number_breaks(fold(text))):
        # "no hay problema con 6 cuotas" says yes to 6: an idiom of yes takes nothing back
        spoken = " ".join(_NO_THAT_IS_YES.sub(" ", _spoken_form(clause)).split())
        if (lead := _NO_BEFORE_INSTEAD.match(spoken)) is not None:
            clauses.append(lead.group(0))
            spoken = spoken[lead.end() :].strip()
        marked = _NUMBER_THEN_NUMBER.sub(lambda m: f"{m.group(0)} |", spoken)
        clauses.extend(part.strip() for part in marked.split("|"))
    return [clause for clause in clauses if clause]


def _said_instead(clause: str) -> int | None:
    """Return the number of payments a clause after a count taken back says instead ("not 12,
    6"; "no 12 cuotas, mejor 6"), never a day or an item ("la 2")."""
    numbers = list(_LONE_NUMBER.finditer(clause))
    if len(numbers) != 1 or _TAKEN_BACK_BEFORE.search(clause[: numbers[0].start()]):
        return None
    if _DAY_OR_ITEM.search(clause[: numbers[0].start()].strip()):
        return None
    count = int(numbers[0].group(1))
    return count if 1 < count <= 60 else None


def opening_count(text: str, words: re.Pattern[str] = _INSTALMENTS) -> int | None:
    """Return the number of payments an opening request asks for: "en 6 cuotas", and a lone
    number said with instalments ("quiero pagar en cuotas, me lo dejan en 4?"), or with other
    ``words`` of a plan."""
    if (count := requested_count(text)) is not None:
        return count
    spoken = _spoken_form(text)
    if not words.search(spoken):
        return None
    numbers = list(re.finditer(r"\b(\d{1,2})\b", spoken))
    if len(numbers) != 1:
        return None
    before = spoken[: numbers[0].start()].strip()
    if _DAY_OR_ITEM.search(before) or _PER_MONTH.search(f"{before} {spoken[numbers[0].end() :]}"):
        return None  # "desde el 15", "cuotas de 80", "80 al mes": a day or money, no count
    count = int(numbers[0].group(1))
    return count if 1 < count <= 60 else None


def opening_budget(text: str) -> Decimal | None:
    """Return the money a month an opening request offers ("puedo dar 300 al mes"), if any."""
    offered = money_offered(text, [])
    return offered[1] if offered is not None and offered[0] == "budget" else None


# A payment made is told, not offered: "ya pagué 250 mil y quiero saldar el resto".


def opening_lump(text: str) -> Decimal | None:
    """Return the sum at once an opening request offers ("tengo 500 mil de una", "I can pay 150
    to settle it"), if any; a payment already made is none."""
    norm = normalise(text)
    if not (_AT_ONCE.search(norm) or _LUMP_SUM.search(norm)) or paid_before(norm):
        return None
    offered = money_offered(text, [])
    return offered[1] if offered is not None and offered[0] == "lump" else None


def requested_date(text: str, today: date) -> tuple[date, bool] | None:
    """Return the date the customer asks to pay by and whether they said its day.

    "hasta el 15 de enero" is 15 January; "pagar en marzo" is 1 March (no day said). A date
    just past ("el 30 de noviembre" on 5 December) stays in the past; an older one is next
    year's.
    """
    return said_date(without_amounts(text), today)


def _named_account(ctx: TurnContext, overdue: list[Account], texts: list[str]) -> Account | None:
    """Return the one account of ``overdue`` the customer named by its number, its contract
    number or its last digits (four or more), else by a word of its plan ("lo del internet de
    la casa", "la del móvil"); the id and birth year they verified with are no account."""
    for text in texts:
        for run in accounts.digits_named(text, accounts.REQUEST_DIGITS, ctx.customer):
            if len(matches := accounts.named([run], overdue)) == 1:
                return matches[0]
    for text in texts:
        if (by_plan := accounts.by_plan(text, overdue)) is not None:
            return by_plan
    return None


# The questions a request may wait on besides identity's: a clarifying question first.
_CLARIFYING_STEPS = frozenset({"asked_topic", "asked_clarification"})
_IDENTITY_STEPS = frozenset(
    {
        "asked_identification",
        "identification_retry",
        "asked_verification",
        "verification_retry",
        "identity_reasked",
        "verified",
        "reprompted",
    }
)


def _request_texts(ctx: TurnContext) -> list[str]:
    """Return what the customer said in their debt request (:func:`identity.request_texts`),
    and the message a clarifying question asked about when the answer to it was the request:
    "lo del hogar, mejor a 12 cuotas" -> "¿planes o acuerdo de pago?" -> "acuerdo de pago"."""
    texts = identity.request_texts(ctx, "debt_negotiation")
    steps = ctx.state.steps
    asked = [i for i, step in enumerate(steps) if step in _CLARIFYING_STEPS]
    if not asked or any(step not in _IDENTITY_STEPS for step in steps[asked[-1] + 1 :]):
        return texts  # no clarifying question, or something else happened since
    earlier = [t for t in ctx.interaction.turns if t.speaker == "caller"]
    back = len(texts) - 1  # caller turns read back, the request's own turn last
    if back and earlier[-back].intent != "debt_negotiation":
        return texts  # read back past the request already
    if len(earlier) > back:
        texts.append(earlier[-back - 1].text)
    return texts


def _choices(ctx: TurnContext, count: int) -> list[str]:
    """Return the answers that pick among ``count`` numbered items: digits, or words on a call."""
    language = ctx.language if ctx.language in SPOKEN else "es"
    if ctx.channel == "voice" and count <= len(SPOKEN[language]):
        return list(SPOKEN[language][:count])
    return [str(i + 1) for i in range(count)]


def _overdue(ctx: TurnContext) -> list[Account]:
    owing = [a for a in accounts.open_accounts(ctx.customer) if a.debt_amount > 0]
    return sorted(owing, key=lambda a: (-a.days_past_due, a.id))


def _all_offers(ctx: TurnContext, account: Account) -> list[Offer]:
    policy = policy_for(ctx)
    return settlement_offers(
        account.debt_amount, account.days_past_due, account.currency, policy, ctx.today
    ) + instalment_plans(account.debt_amount, account.currency, policy, ctx.today)


def _described(ctx: TurnContext, offers: list[Offer], account: Account) -> list[str]:
    return [describe(ctx, o, account.currency) for o in offers]


def _list_options(
    ctx: TurnContext, offers: list[Offer], currency: str, earlier: Sequence[Offer] = ()
) -> list[str]:
    """Put ``offers`` on the table, numbered from 1; ``earlier`` is the list they replace, whose
    numbers a customer may still mean (kept while the same list is said again)."""
    slots = ctx.state.slots
    if earlier:
        slots["earlier"] = [_as_slot(o) for o in earlier]
    elif [o.code for o in offers] != [o["code"] for o in slots.get("offers", [])]:
        slots.pop("earlier", None)
    slots["offers"] = [_as_slot(o) for o in offers]
    slots.pop("which_place", None)
    shown = ctx.state.slots.setdefault("shown", [])
    shown.extend(o.code for o in offers if o.code not in shown)
    ctx.state.slots.pop("proposed", None)
    ctx.state.awaiting = "offer_choice"
    return [describe(ctx, o, currency) for o in offers]


def _present(
    ctx: TurnContext,
    account: Account,
    several: bool,
    asked: int | None = None,
    budget: str | None = None,
    lump: str | None = None,
) -> Decision:
    """Put the opening offers for ``account`` on the table, or answer the number of payments
    ``asked``, the monthly ``budget`` or the ``lump`` sum at once offered. An agreement in
    force is told first, and the customer asked whether to keep it (a number of payments asked
    for is a clear request for another one)."""
    if asked:
        _open(ctx, account)  # the plan asked for is the answer: no opening offer was said
        return _counter_request(ctx, account, asked)
    if (budget or lump) and agreements.active(ctx, account) is None:
        _open(ctx, account)
        offers = opening_offers(
            account.debt_amount, account.days_past_due, account.currency, policy_for(ctx), ctx.today
        )
        ctx.state.slots["offers"] = [_as_slot(o) for o in offers]
        kind, amount = ("budget", budget) if budget else ("lump", lump)
        return _money_reply(ctx, account, kind, Decimal(str(amount)), offers)
    if (current := agreements.active(ctx, account)) is None:
        return _offer(ctx, account, several)
    _open(ctx, account)
    ctx.state.awaiting = AWAITING_KEEP
    text = ctx.say(
        "debt_active_agreement",
        account=account.number,
        agreement=agreements.describe(ctx, current, account.currency),
    )
    return Decision(text, step="told_active_agreement")


def _open(ctx: TurnContext, account: Account) -> None:
    """Start negotiating on ``account``: nothing shown or refused yet."""
    ctx.state.account_id = account.id
    ctx.state.start("debt", "offer_choice", retries=0, shown=[], refused=[])


def _offer(ctx: TurnContext, account: Account, several: bool) -> Decision:
    """Put the opening offers for ``account`` on the table."""
    _open(ctx, account)
    offers = opening_offers(
        account.debt_amount, account.days_past_due, account.currency, policy_for(ctx), ctx.today
    )
    described = _list_options(ctx, offers, account.currency)
    text = ctx.say(
        "debt_account_offers" if several else "debt_offers",
        account=account.number,
        debt=account.debt_amount,
        currency=account.currency,
        days=account.days_past_due,
        offers=described,
    )
    return Decision(text, step="offered_plans")


def start(ctx: TurnContext) -> Decision:
    """Tell the debt of every overdue account and put the opening offers on the table.

    A number of payments ("quiero pagarla en 6 cuotas", "en cuotas, ¿me lo dejan en 4?"), a
    monthly budget ("puedo dar 300 al mes") or a sum at once ("tengo 500 mil de una") asked for
    in the opening request is kept through verification and answered as soon as the account is
    known; an account named in it ("la deuda de la cuenta 3104447654", "la que termina en
    7654") is negotiated without asking which. "¿Qué acuerdo hice?" is answered with the
    agreements in force; with none, the customer is told so and offered one.
    """
    texts = _request_texts(ctx)
    counts = [c for c in (opening_count(t) for t in texts) if c is not None]
    asked = (counts[0] if counts else None) or ctx.state.slots.get("asked_count")
    budgets = [b for b in (opening_budget(t) for t in texts) if b is not None]
    budget = str(budgets[0]) if budgets else ctx.state.slots.get("asked_budget")
    lumps = [b for b in (opening_lump(t) for t in texts) if b is not None]
    lump = str(lumps[0]) if lumps else ctx.state.slots.get("asked_lump")
    if (question := identity.require(ctx, identity.VERIFIED, "debt_negotiation")) is not None:
        _remember_asked(ctx, asked, budget, lump)
        return question
    if not (open_accounts := accounts.open_accounts(ctx.customer)):
        return Decision("", ESCALATE, reason="no_account")
    notice = ""  # "¿qué acuerdo hice?" with none in force: told so, then offered one
    if any(AGREEMENT_ASKED.search(normalise(t)) for t in texts):
        if (told := _agreements_told(ctx, open_accounts)) is not None:
            return told
        notice = ctx.say("debt_no_agreement")
    overdue = _overdue(ctx)
    if not overdue:
        ctx.state.finish()
        if len(open_accounts) > 1:  # every account's balance, not the first one's
            told = billing.summary(ctx, open_accounts, ctx.say("debt_none_accounts"))
            return replace(told, step="told_no_debt")
        account = open_accounts[0]
        return Decision(
            ctx.say("debt_none", balance=account.balance, currency=account.currency),
            step="told_no_debt",
            resolved=True,
        )
    several = len(open_accounts) > 1
    named = _named_account(ctx, overdue, texts) if len(overdue) > 1 else None
    if len(overdue) == 1 or named is not None:
        presented = _present(
            ctx, named or overdue[0], several, int(asked) if asked else None, budget, lump
        )
        return replace(presented, text=f"{notice} {presented.text}".strip())
    ctx.state.start("debt", "debt_account", accounts=[a.id for a in overdue], retries=0)
    _remember_asked(ctx, asked, budget, lump)  # answered once the account is known
    listed = [
        {
            "number": a.number,
            "debt": a.debt_amount,
            "currency": a.currency,
            "days": a.days_past_due,
        }
        for a in overdue
    ]
    text = f"{notice} {ctx.say('debt_accounts', accounts=listed)}".strip()
    return Decision(text, step="asked_debt_account")


def _remember_asked(
    ctx: TurnContext, asked: int | None, budget: str | None, lump: str | None
) -> None:
    """Keep what the opening request asked for until it can be answered: a number of payments
    ("mejor a 12 cuotas"), a monthly budget ("puedo dar 300 al mes"), a sum at once ("tengo
    500 mil de una")."""
    slots = ctx.state.slots
    if asked:
        slots["asked_count"] = int(asked)
    if budget:
        slots["asked_budget"] = budget
    if lump:
        slots["asked_lump"] = lump


def _agreements_told(ctx: TurnContext, listed: list[Account]) -> Decision | None:
    """Answer "¿qué acuerdo hice?" / "when is my first payment?" with the agreements in force
    on ``listed``; None when there is none (the customer is offered one)."""
    told = [
        {
            "account": a.number,
            "agreement": agreements.describe(ctx, current, a.currency),
            "due": agreements.due_now(current),
            "currency": a.currency,
        }
        for a in listed
        if (current := agreements.active(ctx, a)) is not None
    ]
    if not told:
        return None
    ctx.state.finish()
    text = ctx.say("debt_agreements_told", agreements=told)
    return Decision(text, step="told_agreement", resolved=True)


# Interest or a surcharge asked about: "¿eso tiene intereses?", "is there any interest?".
_INTEREST = re.compile(r"\b(?:interes|intereses|recargos?|interest|surcharges?)\b")
# The account an agreement was just booked on, kept past the flow's end for "¿y la otra?".
BOOKED_SLOT = "agreement_booked"
# Where a reply naming two accounts turns from one to the other: "la de internet en 3 y la del
# celular de contado", "the home one in 3 payments and the mobile one in full".
_NEXT_ACCOUNT = re.compile(r"[,;]|\s(?:y|e|and|pero|but)\s(?=(?:la|el|lo|the|mi|my)\b)")


def _pick_account(ctx: TurnContext) -> Decision:
    """Take the account picked by its number or last digits, its place in the list ("la 4", "la
    cuarta", "the fourth one") or its plan, with what the reply asks for it ("la del celular en
    6 cuotas", "la 1 de contado"). A reply naming two accounts, each with its request ("la de
    internet en 3 y la del celular de contado"), takes the first now and the other once the
    first is booked."""
    listed = accounts.listed_accounts(ctx)
    account = accounts.picked(ctx.text, listed) or _by_age(ctx.text, listed)
    if account is not None:
        return _negotiate_as_asked(ctx, account, ctx.text)
    if _balance_asked(ctx):  # "¿y cuánto debo en total?": told, and the account asked again
        which = ctx.say("debt_which_account", choices=_choices(ctx, len(listed)))
        return Decision(f"{_balance_told(ctx)} {which}", step="told_balance")
    if (pair := _two_named(ctx.text, listed)) is not None:
        (first, asked), (then, later) = pair
        told = ctx.say("debt_one_at_a_time", first=first.number, then=then.number)
        presented = _negotiate_as_asked(ctx, first, asked)
        ctx.state.slots["next_account"] = {"id": then.id, "asked": later}
        return replace(presented, text=f"{told} {presented.text}")
    return _again(ctx, ctx.say("debt_which_account", choices=_choices(ctx, len(listed))))


def _two_named(
    text: str, listed: Sequence[Account]
) -> tuple[tuple[Account, str], tuple[Account, str]] | None:
    """Return the two accounts a reply names one after the other, each with the words said of
    it; None unless exactly two different accounts are named, one a clause."""
    clauses = [c.strip() for c in _NEXT_ACCOUNT.split(normalise(text)) if c.strip()]
    named = [(a, c) for c in clauses if (a := accounts.picked(c, listed)) is not None]
    if len(named) != 2 or named[0][0].id == named[1][0].id:
        return None
    return named[0], named[1]


def _negotiate_as_asked(ctx: TurnContext, account: Account, asked: str) -> Decision:
    """Negotiate ``account`` answering what ``asked`` (or the opening request) asks for it: a
    number of payments, a monthly budget, a sum at once or the single payment; else the
    opening offers."""
    slots = ctx.state.slots
    count = _count_for_an_account(asked) or slots.get("asked_count")
    budget = opening_budget(asked) or slots.get("asked_budget")
    lump = opening_lump(asked) or slots.get("asked_lump")
    presented = _present(
        ctx,
        account,
        True,
        int(count) if count else None,
        str(budget) if budget else None,
        str(lump) if lump else None,
    )
    if count or budget or lump or ctx.state.awaiting != "offer_choice":
        return presented
    offers = [_from_slot(o) for o in ctx.state.slots.get("offers", [])]
    if (single := _lump_sum(asked, offers)) is not None:  # "la del celular de contado"
        return _restate(ctx, account, single)
    return presented


def _next_account(ctx: TurnContext, booked: Decision, following: dict[str, Any]) -> Decision:
    """Go on, once an agreement is booked, with the other account the customer named with it
    ("... y la del celular de contado"), unless it owes nothing now."""
    other = next(
        (a for a in _overdue(ctx) if a.id == following.get("id")),
        None,
    )
    if other is None:
        return booked
    presented = _negotiate_as_asked(ctx, other, str(following.get("asked", "")))
    taken_up = f"{ctx.say('debt_next_account')} {presented.text}"
    # A text shortens what was booked (its confirmation went apart), never the next offers.
    return replace(presented, text=f"{booked.text} {taken_up}", step=booked.step, keep=taken_up)


def other_account_asked(ctx: TurnContext) -> Decision | None:
    """Negotiate the customer's other overdue account when, right after an agreement was
    booked, they ask about it ("¿y la otra?", "and the other one?"); None unless exactly one
    other account owes and has no agreement made in this conversation."""
    state = ctx.state
    if state.slots.get(BOOKED_SLOT) is None or state.awaiting not in (None, "confirm_resolution"):
        return None
    if ctx.customer is None or not accounts.OTHER_ACCOUNT.search(normalise(ctx.text)):
        return None
    others = [
        a
        for a in _overdue(ctx)
        if not any(g.interaction_id == ctx.interaction.id for g in agreements.in_force(ctx, a))
    ]
    if len(others) != 1:
        return None
    state.finish()
    return _negotiate_as_asked(ctx, others[0], ctx.text)


def _by_age(text: str, listed: Sequence[Account]) -> Account | None:
    """Return the account a reply picks by the age of its debt: "la más vieja", "the older
    one" (the most days past due), "la más reciente", "the newer one" (the fewest)."""
    norm = normalise(text)
    if not listed:
        return None
    if _OLDER.search(norm):
        return max(listed, key=lambda a: a.days_past_due)
    if _NEWER.search(norm):
        return min(listed, key=lambda a: a.days_past_due)
    return None


def _again(ctx: TurnContext, text: str) -> Decision:
    """Ask once more; a second turn not understood goes to a person."""
    if ctx.state.slots.get("retries", 0) >= 1:
        ctx.state.finish()
        return Decision("", ESCALATE, reason="not_understood")
    ctx.state.slots["retries"] = ctx.state.slots.get("retries", 0) + 1
    return Decision(text, step="asked_offer_again")


def _restate(ctx: TurnContext, account: Account, offer: Offer, prefix: str = "") -> Decision:
    """Say the one offer back with its amount, payments and first due date, and ask for a yes;
    the agreement in force it would replace is named."""
    ctx.state.slots["proposed"] = _as_slot(offer)
    ctx.state.slots.pop("which_place", None)
    shown = ctx.state.slots.setdefault("shown", [])
    if offer.code not in shown:
        shown.append(offer.code)
    ctx.state.awaiting = "offer_confirm"
    if (current := agreements.active(ctx, account)) is not None:
        replaces = agreements.describe(ctx, current, account.currency)
        prefix = f"{prefix} {ctx.say('debt_replaces', agreement=replaces)}"
    text = ctx.say(
        "debt_restate",
        offer=describe(ctx, offer, account.currency),
        total=offer.total,
        n=offer.instalments,
        currency=account.currency,
        account=account.number,
    )
    return Decision(f"{prefix} {text}".strip(), step="restated_offer")


def _book(ctx: TurnContext, account: Account, offer: Offer) -> Decision:
    """Record the agreement the customer accepted and text the confirmation.

    The agreement in force on the account is replaced; one booked earlier in this same
    conversation is amended instead (a conversation books one agreement)."""
    following = ctx.state.slots.get("next_account")
    in_force = agreements.in_force(ctx, account)
    mine = next((a for a in in_force if a.interaction_id == ctx.interaction.id), None)
    for earlier in in_force:
        if earlier is not mine:
            earlier.status = agreements.REPLACED
    agreement = mine or PaymentAgreement(account_id=account.id, interaction_id=ctx.interaction.id)
    ctx.session.add(agreement)
    agreement.kind = offer.kind
    agreement.debt_amount = offer.debt
    agreement.total = offer.total
    agreement.discount_pct = offer.discount_pct
    agreement.instalments = offer.instalments
    agreement.instalment_amount = offer.amounts[0]
    agreement.first_due = offer.first_due
    agreement.status = agreements.ACTIVE
    account.offer_code = offer.code
    ctx.state.finish()
    ctx.state.slots[BOOKED_SLOT] = account.id  # "¿y la otra?" next: the other account
    ctx.state.outcome_detail = "agreement"
    ctx.state.offer_accepted = True
    summary = describe(ctx, offer, account.currency)
    customer = ctx.customer
    sent = False
    if customer is not None and customer.phone:
        body = ctx.say(
            "debt_confirmation_sms",
            account=account.number,
            offer=summary,
            total=offer.total,
            currency=account.currency,
        )
        sent = send_confirmation(
            ctx,
            customer.phone,
            body,
            purpose="agreement_confirmation",
            variables={"1": account.number, "2": summary},
        )
    text = ctx.say(
        "debt_booked",
        offer=summary,
        total=offer.total,
        currency=account.currency,
        account=account.number,
        sent=sent,
    )
    if in_force:
        text = f"{text} {ctx.say('debt_replaced')}"
    booked = Decision(text, step=f"accepted_{offer.code}", resolved=True)
    return _next_account(ctx, booked, following) if following else booked


def _refuse(ctx: TurnContext, offers: Sequence[Offer]) -> list[str]:
    """Note ``offers`` as refused (never offered again); return every code refused so far."""
    done: list[str] = ctx.state.slots.setdefault("refused", [])
    done.extend(o.code for o in offers if o.code not in done)
    return done


def _refuse_said(
    ctx: TurnContext, account: Account, refused: Sequence[Offer], too_dear: Sequence[Offer] = ()
) -> list[str]:
    """Note as refused ``refused``, the plans refused by their number ("no puedo pagar en 6
    cuotas") or the single payment taken back, and, with every option of payments as large,
    ``too_dear`` and those refused as too dear ("no me alcanza para 12 cuotas"); return every
    code refused so far."""
    counts = _counts(ctx.text)[1]
    every = _all_offers(ctx, account)
    single = _single_taken_back(ctx.text)  # "no me alcanza para el pago único"
    named = [
        o
        for o in every
        if (o.kind == "instalments" and o.instalments in counts)
        or (single and o.kind == "settlement")
    ]
    dear = [*too_dear, *(named if _UNAFFORDABLE.search(fold(ctx.text)) else [])]
    if dear:
        # Payments too large: none as large is offered instead, only smaller ones, or a person.
        least = min(max(o.amounts) for o in dear)
        named += [o for o in every if max(o.amounts) >= least]
    return _refuse(ctx, [*refused, *named])


def _other_options(
    ctx: TurnContext,
    account: Account,
    refused: Sequence[Offer],
    too_dear: Sequence[Offer] = (),
    listed: Sequence[Offer] = (),
) -> Decision:
    """After a refusal of ``refused`` (and of what :func:`_refuse_said` reads, ``too_dear``
    with every option as large): the offers neither shown nor refused yet, else those of
    ``listed`` not refused, else a person."""
    every = _all_offers(ctx, account)
    done = _refuse_said(ctx, account, refused, too_dear)
    shown = ctx.state.slots.get("shown", [])
    fresh = [o for o in every if o.code not in shown and o.code not in done]
    fresh = fresh or [o for o in listed if o.code not in done]
    if not fresh:
        ctx.state.finish()
        return Decision(ctx.say("debt_no_more_options"), ESCALATE, reason="offer_refused")
    before = [_from_slot(o) for o in ctx.state.slots.get("offers", [])]
    earlier = before if [o.code for o in before] != [o.code for o in fresh] else []
    described = _list_options(ctx, fresh, account.currency, earlier)
    return Decision(ctx.say("debt_other_options", offers=described), step="counter_offered")


def _options_again(ctx: TurnContext, account: Account) -> Decision:
    """Answer "what are my options?" with every option shown so far (the customer may take
    back a refusal); never book."""
    shown = ctx.state.slots.get("shown", [])
    offers = [o for o in _all_offers(ctx, account) if o.code in shown]
    described = _list_options(ctx, offers, account.currency)
    return Decision(ctx.say("debt_options", offers=described), step="told_options")


def _nothing_booked(ctx: TurnContext, account: Account) -> Decision:
    """Answer "what did I agree to?" asked while the options are listed: nothing is booked yet
    (the agreement in force, if any, still is), then the options again, briefly."""
    current = agreements.active(ctx, account)
    offers = [_from_slot(o) for o in ctx.state.slots.get("offers", [])]
    text = ctx.say(
        "debt_nothing_booked",
        account=account.number,
        agreement=agreements.describe(ctx, current, account.currency) if current else "",
        offers=_list_options(ctx, offers, account.currency),
    )
    return Decision(text, step="told_nothing_booked")


def _counter_request(ctx: TurnContext, account: Account, count: int) -> Decision:
    """Answer a request for ``count`` payments with that plan or the nearest allowed one."""
    policy = policy_for(ctx)
    answer = requested_plan(
        count,
        account.debt_amount,
        account.days_past_due,
        account.currency,
        policy,
        ctx.today,
        ctx.state.slots.get("refused", []),
    )
    options = list(policy.instalment_options)
    values = {
        "asked": count,
        "got": answer.offer.instalments,
        "options": options,
        "minimum": policy.min_instalment.get(account.currency, Decimal(0)),
        "currency": account.currency,
    }
    prefix = ctx.say(f"debt_plan_{answer.reason}", **values)
    prefix = f"{prefix} {_first_due_told(ctx, answer.offer)}".strip()  # "6 cuotas desde enero"
    return _restate(ctx, account, answer.offer, prefix)


def _first_due_told(ctx: TurnContext, offer: Offer) -> str:
    """Tell when the first payment of the plan ``offer`` is due, when the turn asks for its
    first payment on a date ("empezando el 15 de enero", "¿puedo pagar la primera el 20?"): a
    plan starts when the policy says, so a later day is said to be out of reach. Empty when
    the turn names no date or ``offer`` is no plan."""
    asked = requested_date(ctx.text, ctx.today)
    if asked is None or offer.kind != "instalments":
        return ""
    when, day_given = asked
    return ctx.say(
        "debt_plan_first_due",
        first=offer.first_due,
        when=when,
        day_given=day_given,
        early=ctx.today <= when <= offer.first_due,
        month=_MONTH_LIST.get(ctx.language, _MONTH_LIST["es"])[when.month - 1],
    )


def _count_in_a_plan(text: str) -> int | None:
    """Return the number of payments a turn about the instalments asks for with a lone number
    ("¿cuánto queda cada cuota si lo hago a 12?", "how much would each payment be if I do it
    in 12"), never a day, money or a count taken back."""
    count, taken_back = _counts(text)
    if count is not None or taken_back or _single_taken_back(text):
        return count
    return opening_count(text, _EACH_PAYMENT)


def _count_for_an_account(text: str) -> int | None:
    """Return the number of payments a reply naming an account asks for it: "la de internet en
    3", "the mobile one in 6" (never the digits it ends in, "la que termina en 54")."""
    if (count := _count_in_a_plan(text)) is not None:
        return count
    spoken = _spoken_form(text)
    if _ENDING.search(spoken) or (match := _IN_A_COUNT.search(spoken)) is None:
        return None
    count = int(match.group(1))
    return count if 1 < count <= 60 else None


def _fitting_plan(plans: Sequence[Offer], amount: Decimal) -> Offer | None:
    """Return the plan with the fewest payments none of which is over ``amount``."""
    fitting = [p for p in plans if max(p.amounts) <= amount]
    return min(fitting, key=lambda p: p.instalments) if fitting else None


def _amount_again(ctx: TurnContext, offers: Sequence[Offer]) -> tuple[str, Decimal] | None:
    """Return the money a turn says alone after money was offered ("entonces 300 mil", "what
    about 150?"), of the kind offered before (a month or at once); an option's own amount or
    a number of payments is none."""
    kind = ctx.state.slots.get("money_said")
    spoken = words_to_digits(normalise(ctx.text))  # "entonces cuatrocientos mil" on a call
    match = _AMOUNT_AGAIN.match(spoken)
    if kind is None or match is None:
        return None
    stated = stated_amount(ctx.text) or stated_amount(spoken)
    amount = stated or parse_number(match.group(1))
    if amount is None or (stated is None and amount <= 60):
        return None  # "y 6?" asks for payments
    if any(amount == o.total or amount in o.amounts for o in offers):
        return None  # "la de 150" names an option
    return ("budget" if spoken.endswith(("al mes", "a month")) else kind), amount


def _short_again(
    ctx: TurnContext, account: Account, amount: Decimal, monthly: bool
) -> Decision | None:
    """Count an amount that reaches no option; the second one goes to a person."""
    short = ctx.state.slots.get("short_amounts", 0)
    ctx.state.slots["short_amounts"] = short + 1
    if short < 1:
        return None
    ctx.state.finish()
    text = ctx.say(
        "debt_amount_to_person", amount=amount, monthly=monthly, currency=account.currency
    )
    return Decision(text, ESCALATE, reason="offer_refused")


def _money_reply(
    ctx: TurnContext, account: Account, kind: str, amount: Decimal | None, offers: list[Offer]
) -> Decision:
    """Answer money offered (:func:`money_offered`) truthfully, restating what fits (never a plan
    refused while another is left); a second amount that reaches nothing goes to a person.
    Nothing is booked here."""
    policy = policy_for(ctx)
    currency = account.currency
    if kind in ("budget", "lump"):
        ctx.state.slots["money_said"] = kind  # "entonces 300 mil" next is money of this kind
    if amount is not None:
        amount = spoken_amount(amount, currency)  # "80 al mes" in Colombia is 80.000 pesos
    plans = instalment_plans(account.debt_amount, currency, policy, ctx.today)
    refused = ctx.state.slots.get("refused", [])
    plans = [p for p in plans if p.code not in refused] or plans  # a plan refused never fits
    settlements = settlement_offers(
        account.debt_amount, account.days_past_due, currency, policy, ctx.today
    )
    cheapest = min(settlements, key=lambda o: o.total)
    if kind == "first" or amount is None:
        prefix = ctx.say("debt_equal_instalments")
        return _back_to_table(ctx, account, prefix, offers, step="told_plans")
    if not plans:
        prefix = ctx.say(
            "debt_plan_none_allowed",
            minimum=policy.min_instalment.get(currency, Decimal(0)),
            currency=currency,
        )
        return _restate(ctx, account, cheapest, prefix)
    if kind == "budget":
        if (plan := _fitting_plan(plans, amount)) is not None:
            prefix = ctx.say(
                "debt_budget_fits", budget=amount, n=plan.instalments, currency=currency
            )
            return _restate(ctx, account, plan, prefix)
        if (person := _short_again(ctx, account, amount, True)) is not None:
            return person
        lowest = min(plans, key=lambda p: max(p.amounts))
        prefix = ctx.say(
            "debt_budget_short",
            budget=amount,
            lowest=max(lowest.amounts),
            n=lowest.instalments,
            currency=currency,
        )
        return _restate(ctx, account, lowest, prefix)
    named = [o for o in offers if o.kind == "settlement" and o.total == amount]
    if named:
        return _restate(ctx, account, named[0])
    if amount >= cheapest.total:
        prefix = ctx.say("debt_lump_enough", amount=amount, currency=currency)
        return _restate(ctx, account, cheapest, prefix)
    if (person := _short_again(ctx, account, amount, False)) is not None:
        return person
    plan = _fitting_plan(plans, amount) or min(plans, key=lambda p: max(p.amounts))
    prefix = ctx.say(
        "debt_lump_below",
        amount=amount,
        total=cheapest.total,
        due=cheapest.first_due,
        currency=currency,
    )
    return _restate(ctx, account, plan, prefix)


def _month_request(ctx: TurnContext, account: Account, when: date, day_given: bool) -> Decision:
    """Answer "can I pay on 15 January?" / "in March?": the date is compared with the latest
    single payment the policy allows, and the answer names that date. A date in time gets the
    settlement with the largest discount still due on or after it."""
    policy = policy_for(ctx)
    settlements = settlement_offers(
        account.debt_amount, account.days_past_due, account.currency, policy, ctx.today
    )
    by_due = sorted(settlements, key=lambda o: o.first_due)
    latest = by_due[-1]
    in_time = [o for o in by_due if o.first_due >= when]
    values = {
        "when": when,
        "day_given": day_given,
        "month": _MONTH_LIST.get(ctx.language, _MONTH_LIST["es"])[when.month - 1],
    }
    if when < ctx.today:
        # "¿puedo pagar el 30 de noviembre?" on 5 December: that day is gone; the soonest
        # single payment is the answer, never next year's 30 November.
        prefix = ctx.say("debt_date_past", latest=by_due[0].first_due, **values)
        return _restate(ctx, account, by_due[0], prefix)
    if in_time:
        offer = in_time[0]
        prefix = ctx.say("debt_month_allowed", latest=offer.first_due, **values)
        return _restate(ctx, account, offer, prefix)
    # More time is an instalment plan: suggested only when the debt allows one.
    plans = bool(instalment_plans(account.debt_amount, account.currency, policy, ctx.today))
    prefix = ctx.say("debt_month_too_late", latest=latest.first_due, plans=plans, **values)
    return _restate(ctx, account, latest, prefix)


def _best_discount(ctx: TurnContext, account: Account) -> Decision:
    """Answer "can you give me a bigger discount?": the largest allowed, restated."""
    best = settlement_offers(
        account.debt_amount, account.days_past_due, account.currency, policy_for(ctx), ctx.today
    )[0]
    prefix = ctx.say("debt_best_discount", discount=percent(best.discount_pct, ctx.language))
    return _restate(ctx, account, best, prefix)


def _plain(ctx: TurnContext) -> str:
    """Return the turn folded, without the idioms that start with "no" and mean yes."""
    return _NO_THAT_IS_YES.sub(" ", normalise(ctx.text)).strip()


def _says_no_first(ctx: TurnContext) -> bool:
    """Return True for an answer that opens with a no: "no", "no gracias", "no, mejor no"
    ("no hay problema, dale" and "no problem, go ahead" open with a yes, "no sé" with a
    doubt)."""
    plain = _plain(ctx)
    no_first = re.match(r"(no|nope|nah|not|ninguna|ninguno|none|neither)\b", plain)
    return bool(no_first) and not (_NO_THEN_YES.match(plain) or _NOT_SURE.match(plain))


def _affirmed(ctx: TurnContext) -> bool:
    """Return True for a clear yes: a hesitation, a refusal or a weak guess never books."""
    norm, plain = normalise(ctx.text), _plain(ctx)
    if _HESITATION.search(norm) or _refused(ctx):
        return False
    negated = bool(_NEGATION.search(plain))
    if not negated and (_ACCEPT.search(plain) or _YES.match(plain)):
        return True
    if not negated and plain != norm:
        return True  # "no hay problema", "no problem": the idiom itself says yes
    understood = ctx.understood
    sure = understood.tier in ("rules", "llm") or understood.confidence >= AFFIRM_MIN_CONFIDENCE
    return understood.intent == "affirm" and sure and not negated


def _too_dear_said(ctx: TurnContext) -> bool:
    """Return True when the turn says what is on the table costs too much: "es mucho para mí",
    "eso no me alcanza", "that's a lot of money", "sí, pero es mucho" ("dale, aunque es
    mucho" accepts it)."""
    return _too_dear(ctx.text) and not _ACCEPT.search(_plain(ctx))


def _hesitates(ctx: TurnContext) -> bool:
    return bool(_HESITATION.search(normalise(ctx.text)))


def _refused(ctx: TurnContext) -> bool:
    """Return True for a no: an explicit refusal, an answer opening with a no, or a "no" the
    model read, surely, where no idiom of yes ("no hay problema") explains it ("el coso ese no
    sirve", read as a no at 0.2, is asked again)."""
    norm, plain = normalise(ctx.text), _plain(ctx)
    if _REFUSAL.search(plain) or _says_no_first(ctx) or _counts_refused(ctx.text):
        return True
    if _NO_THEN_YES.match(plain):
        return False  # "no, sí quiero": the no is taken back
    understood = ctx.understood
    sure = understood.tier in ("rules", "llm") or understood.confidence >= AFFIRM_MIN_CONFIDENCE
    return understood.intent == "deny" and plain == norm and sure


def _asks(ctx: TurnContext) -> bool:
    """Return True when the turn is a question ("¿y cuándo pago la primera cuota?", "can you
    confirm the amount", "what's the deal with the discount"), marked or not."""
    return "?" in ctx.text or bool(_QUESTION_WORDS.match(_plain(ctx)))


def _balance_asked(ctx: TurnContext) -> bool:
    """Return True when the turn asks what the customer owes ("¿y cuánto debo en total?"),
    not what a plan or the single payment would be."""
    norm = normalise(ctx.text)
    if not _BALANCE_ASKED.search(norm):
        return False
    return not (_EACH_PAYMENT.search(norm) or _LUMP_SUM.search(norm))


def _interest_told(ctx: TurnContext, account: Account) -> str:
    """Say what the instalment plans add to the debt: the policy's surcharge and the total it
    makes, else nothing (the plans total what is owed)."""
    policy = policy_for(ctx)
    plans = instalment_plans(account.debt_amount, account.currency, policy, ctx.today)
    surcharge = policy.surcharge_pct
    return ctx.say(
        "debt_interest",
        surcharge=percent(surcharge, ctx.language) if surcharge > 0 else "",
        debt=account.debt_amount,
        total=plans[0].total if plans else account.debt_amount,
        currency=account.currency,
    )


def _balance_told(ctx: TurnContext) -> str:
    """Tell the balance and overdue debt of every open account (one line each when several)."""
    listed = accounts.open_accounts(ctx.customer)
    if len(listed) > 1:
        return billing.summary(ctx, listed).text
    [account] = listed
    return billing.balance_line(ctx, account)


def claims(ctx: TurnContext) -> bool:
    """Return True when the turn answers the negotiation, whatever topic the model guessed.

    "¿Qué opciones tengo?" reads like a billing question and "pagar en marzo" like a payment
    question; while offers are on the table both belong to the negotiation.
    """
    if ctx.state.flow == "debt" and ctx.state.awaiting == "debt_account" and _balance_asked(ctx):
        return True  # "¿y cuánto debo en total?" while the accounts are listed
    if ctx.state.flow != "debt" or ctx.state.awaiting not in (
        "offer_choice",
        "offer_confirm",
        AWAITING_KEEP,
    ):
        return False
    norm = normalise(ctx.text)
    offers = [_from_slot(o) for o in ctx.state.slots.get("offers", [])]
    account = ctx.account
    return bool(
        _count_in_a_plan(ctx.text)
        or _counts_refused(ctx.text)
        or bare_count(ctx.text, offers)
        or (ctx.state.awaiting != AWAITING_KEEP and money_offered(ctx.text, offers))
        or (ctx.state.awaiting != AWAITING_KEEP and _amount_again(ctx, offers))
        or requested_date(ctx.text, ctx.today)
        or _LUMP_SUM.search(norm)
        or (ctx.state.awaiting == AWAITING_KEEP and (_KEEP.search(norm) or _REPLACE.search(norm)))
        or _OPTIONS.search(norm)
        or _MORE_DISCOUNT.search(norm)
        or _REFUSAL.search(norm)
        or _ACCEPT.search(norm)
        or _NO_THAT_IS_YES.search(norm)
        or (account is not None and _other_account_asked(ctx, account) is not None)
        or _balance_asked(ctx)
    )


def _other_account_asked(ctx: TurnContext, account: Account) -> Account | None:
    """Return the customer's other account a question in the middle of negotiating ``account``
    is about ("¿y la otra cuenta cuánto debe?", "and the other account?", "¿y la 0000100186?")."""
    others = [a for a in accounts.open_accounts(ctx.customer) if a.id != account.id]
    norm = normalise(ctx.text)
    if not others or _TAKE_UP_OTHER.search(norm):
        return None
    if not (_asks(ctx) or _ABOUT_AN_ACCOUNT.search(norm)):
        return None
    if accounts.OTHER_ACCOUNT.search(norm):
        owing = [a for a in others if a.debt_amount > 0]
        candidates = owing if len(others) > 1 else others
        return candidates[0] if len(candidates) == 1 else None
    runs = accounts.digits_named(ctx.text, accounts.REQUEST_DIGITS, ctx.customer)
    hits = accounts.named(runs, others) if runs else []
    return hits[0] if len(hits) == 1 else None


def _tell_other_account(ctx: TurnContext, account: Account, other: Account) -> Decision:
    """Tell the debt (or the balance) of ``other``, then ask again what the negotiation on
    ``account`` waits for: the restated offer, the options, or whether to keep an agreement."""
    current = agreements.active(ctx, other)
    told = ctx.say(
        "debt_other_account",
        agreement=agreements.describe(ctx, current, other.currency) if current else "",
        other=other.number,
        debt=other.debt_amount,
        days=other.days_past_due,
        balance=other.balance,
        currency=other.currency,
        account=account.number,
    )
    if ctx.state.awaiting == AWAITING_KEEP:
        return Decision(f"{told} {ctx.say('debt_keep_again')}", step="told_other_account")
    offers = [_from_slot(o) for o in ctx.state.slots.get("offers", [])]
    return _back_to_table(ctx, account, told, offers, step="told_other_account")


def _back_to_table(
    ctx: TurnContext, account: Account, prefix: str, offers: list[Offer], step: str
) -> Decision:
    """Say ``prefix``, then ask again what the negotiation waits for: the offer restated when
    one is, else ``offers`` listed."""
    proposed = ctx.state.slots.get("proposed")
    if ctx.state.awaiting == "offer_confirm" and proposed is not None:
        return _restate(ctx, account, _from_slot(proposed), prefix)
    described = _list_options(ctx, offers, account.currency)
    return Decision(f"{prefix} {ctx.say('debt_options', offers=described)}", step=step)


def _plan_started(ctx: TurnContext) -> Offer | None:
    """Return the plan restated when the turn asks for its first payment on a date ("¿puedo
    pagar la primera el 20?", "can I start on January 15?"), never turning it into a single
    payment due that day; None otherwise."""
    proposed = ctx.state.slots.get("proposed")
    if ctx.state.awaiting != "offer_confirm" or proposed is None:
        return None
    plan = _from_slot(proposed)
    norm = normalise(ctx.text)
    if plan.kind != "instalments" or _LUMP_SUM.search(norm):
        return None
    if not (_STARTING.search(norm) or _FIRST_INSTALMENT.search(norm)):
        return None
    return plan if requested_date(ctx.text, ctx.today) is not None else None


def _no_then_other(ctx: TurnContext) -> bool:
    """Return True for a no followed by something said instead and not refused: "no, la 2", "no
    espera, la 1", "no wait, option 2" ("no quiero la 1", "no, la 2 no", "no, 2 is too much"
    refuse it)."""
    plain = _plain(ctx)
    match = _NO_THEN.match(plain)
    if match is None or _REFUSAL.search(plain):
        return False
    rest = match.group("rest")
    return bool(rest) and not _NEGATION.search(rest)


def _instead(ctx: TurnContext, account: Account, offers: list[Offer]) -> Offer | None:
    """Return the option a turn takes instead of the one on the table ("no, mejor la 1", "no,
    mejor el pago único"): one of ``offers`` by its number or words, else a single payment
    shown earlier and not refused."""
    if not (_CHANGE_OF_MIND.search(normalise(ctx.text)) or _no_then_other(ctx)):
        return None
    if (picked := chosen(ctx.text, offers, _described(ctx, offers, account))) is not None:
        return picked
    slots = ctx.state.slots
    earlier = [
        o
        for o in _all_offers(ctx, account)
        if o.code in slots.get("shown", []) and o.code not in slots.get("refused", [])
    ]
    return _lump_sum(ctx.text, earlier)


def _confirm_reply(
    ctx: TurnContext, account: Account, offer: Offer, offers: list[Offer]
) -> Decision:
    """Answer the restated offer. Only a clear yes books it; a question restates it (its words,
    "first", "la primera cuota", "de una", never switch it); a no shows other options. On the
    keypad 1 is yes and 2 is no (the call says so), never the option numbered 1 or 2."""
    if "dtmf" in ctx.understood.entities and ctx.understood.intent in ("affirm", "deny"):
        if ctx.understood.intent == "affirm":
            return _book(ctx, account, offer)
        return _other_options(ctx, account, [offer])
    norm = normalise(ctx.text)
    if (instead := _instead(ctx, account, offers)) is not None and instead.code != offer.code:
        _refuse(ctx, [offer])  # "mmm no sé, mejor la de 150": the doubt is about the one restated
        return _restate(ctx, account, instead)
    if _hesitates(ctx):
        return Decision(
            ctx.say("debt_think_it_over", offer=describe(ctx, offer, account.currency)),
            step="offer_left_open",
        )
    if _too_dear_said(ctx):  # "eso no me alcanza", "es mucho para mí"
        return _other_options(ctx, account, [offer], too_dear=[offer])
    if _says_no_first(ctx):
        return _other_options(ctx, account, [offer])
    if _OPTIONS.search(norm):
        return _options_again(ctx, account)
    if _REFUSAL.search(_plain(ctx)):
        return _other_options(ctx, account, [offer])
    if _asks(ctx):
        return _restate(ctx, account, offer)
    picked = chosen(ctx.text, offers, _described(ctx, offers, account))
    if picked is not None and picked.code != offer.code:
        return _restate(ctx, account, picked)
    if _affirmed(ctx):
        return _book(ctx, account, offer)
    if _refused(ctx):
        return _other_options(ctx, account, [offer])
    return _again(ctx, ctx.say("debt_confirm_again", offer=describe(ctx, offer, account.currency)))


def _keep_or_replace(ctx: TurnContext, account: Account) -> Decision:
    """Answer "you already have an agreement: change it?". Keeping it books nothing; a yes, a
    change asked for or a plan asked for puts the other options on the table."""
    norm, folded = normalise(ctx.text), fold(ctx.text)  # "no, keep it" is no "don't keep"
    offers = _all_offers(ctx, account)
    not_change = bool(_NOT_CHANGE.search(folded))
    change = bool(_NOT_KEEP.search(folded) or (_REPLACE.search(norm) and not not_change))
    if not change and (not_change or _KEEP.search(norm)):
        return _keep(ctx, account)
    if (count := requested_count(ctx.text)) is not None:
        return _counter_request(ctx, account, count)
    if (asked_date := requested_date(ctx.text, ctx.today)) is not None:
        return _month_request(ctx, account, *asked_date)
    if (lump := _lump_sum(ctx.text, offers)) is not None:
        return _restate(ctx, account, lump)
    if change or _INSTALMENTS.search(norm) or _affirmed(ctx):
        several = len(accounts.open_accounts(ctx.customer)) > 1
        return _offer(ctx, account, several)
    if _refused(ctx) or _says_no_first(ctx):
        return _keep(ctx, account)
    return _again(ctx, ctx.say("debt_keep_again"))


def _keep(ctx: TurnContext, account: Account) -> Decision:
    """Leave the agreement in force as it is."""
    current = agreements.active(ctx, account)
    ctx.state.finish()
    if current is None:
        return Decision(ctx.say("how_can_i_help"), step="kept_agreement")
    text = ctx.say(
        "debt_agreement_kept",
        account=account.number,
        agreement=agreements.describe(ctx, current, account.currency),
        due=agreements.due_now(current),
        currency=account.currency,
    )
    return Decision(text, step="kept_agreement", resolved=True)


def reply(ctx: TurnContext) -> Decision:
    """Handle the customer's answer to the offers, to a restated offer or to the account asked."""
    state = ctx.state
    if state.awaiting == "debt_account":
        return _pick_account(ctx)
    account = ctx.account
    if account is None:
        return Decision("", ESCALATE, reason="no_account")
    if (other := _other_account_asked(ctx, account)) is not None:
        return _tell_other_account(ctx, account, other)
    if _balance_asked(ctx):  # "¿y cuánto debo en total?": told, and the negotiation goes on
        told = _balance_told(ctx)
        if state.awaiting == AWAITING_KEEP:
            return Decision(f"{told} {ctx.say('debt_keep_again')}", step="told_balance")
        listed = [_from_slot(o) for o in state.slots.get("offers", [])]
        return _back_to_table(ctx, account, told, listed, step="told_balance")
    if state.awaiting == AWAITING_KEEP:
        return _keep_or_replace(ctx, account)
    norm = normalise(ctx.text)
    if _INTEREST.search(norm) and not any(ch.isdigit() for ch in numeric_form(ctx.text)):
        # "¿eso tiene intereses?": what the plans cost beyond the debt, then the table again.
        listed = [_from_slot(o) for o in state.slots.get("offers", [])]
        return _back_to_table(ctx, account, _interest_told(ctx, account), listed, "told_interest")
    if state.awaiting == "offer_choice" and AGREEMENT_ASKED.search(norm):
        return _nothing_booked(ctx, account)  # "¿qué acuerdo hice?" with the options listed
    offers = [_from_slot(o) for o in state.slots.get("offers", [])]
    proposed = state.slots.get("proposed")
    if (count := _count_in_a_plan(ctx.text)) is not None:
        _note_named_refusals(ctx, account, offers)  # "80 is too much, can I do 4 payments?"
        return _counter_request(ctx, account, count)
    if (started := _plan_with_a_start(ctx, account, offers)) is not None:
        # "la de 150 pero empezando en enero"
        return _restate(ctx, account, started, _first_due_told(ctx, started))
    if (plan := _plan_started(ctx)) is not None:
        return _restate(ctx, account, plan, _first_due_told(ctx, plan))
    if (asked_date := requested_date(ctx.text, ctx.today)) is not None:
        return _month_request(ctx, account, *asked_date)
    if (said := _earlier_list(ctx, account, offers)) is not None:
        return said  # "la primera que me ofreciste"; "la 2" of the new list or the one before?
    if (said := _place_or_count(ctx, account, offers)) is not None:
        return said  # "en dos", "la de 6"; "dos" when option 2 is no plan of 2 and one is
    if (count := bare_count(ctx.text, offers)) is not None:
        _note_named_refusals(ctx, account, offers)  # "la de 150 no, mejor en 4"
        return _counter_request(ctx, account, count)
    if (refusal := _named_refusal(ctx, account, offers)) is not None:
        return refusal  # "la de 382.500 no me alcanza", "la 3 no, la 2"
    if (money := money_offered(ctx.text, offers)) is not None:
        return _money_reply(ctx, account, *money, offers)
    if (again := _amount_again(ctx, offers)) is not None:
        return _money_reply(ctx, account, *again, offers)  # "entonces 300 mil"
    if _MORE_DISCOUNT.search(norm):
        return _best_discount(ctx, account)
    if state.awaiting == "offer_confirm" and proposed is not None:
        return _confirm_reply(ctx, account, _from_slot(proposed), offers)
    if _OPTIONS.search(norm):
        return _options_again(ctx, account)
    if (instead := _instead(ctx, account, offers)) is not None:
        return _restate(ctx, account, instead)  # "no, mejor el pago único" shown before
    if _ALL_REFUSED.search(norm):
        return _other_options(ctx, account, offers)  # "ninguna me sirve": before any number
    if (pick := chosen(ctx.text, offers, _described(ctx, offers, account))) is not None:
        return _restate(ctx, account, pick)
    if not _refused(ctx) and (shown := _shown_named(ctx, account, offers)) is not None:
        return _restate(ctx, account, shown)  # "la de 382.500" after the other options
    if _too_dear_said(ctx):  # "es mucho para mí", "that's a lot of money"
        return _other_options(ctx, account, offers, too_dear=offers)
    if _refused(ctx):
        return _other_options(ctx, account, offers)
    if _affirmed(ctx) and len(offers) == 1:
        return _restate(ctx, account, offers[0])
    if _asks(ctx):
        return _options_again(ctx, account)
    if offers and _affirmed(ctx):
        return _willing(ctx, offers, account.currency)
    choices = _choices(ctx, len(offers))
    return _again(ctx, ctx.say("debt_pick_among", choices=choices))


def _place_or_count(ctx: TurnContext, account: Account, offers: list[Offer]) -> Decision | None:
    """Answer a number that may be a count rather than an option's place: "en dos", "a 6", "in
    two" ask for that many payments; "la de dos" takes the plan of two listed; "dos", "la 2",
    "three" while option 2 is no plan of two and another listed one is are asked back. The
    keypad picks by place."""
    if "dtmf" in ctx.understood.entities:
        return None
    spoken = " ".join(_spoken_form(ctx.text).split())
    if (match := _IN_COUNT.match(spoken)) is not None and 1 < int(match.group(1)) <= 60:
        return _counter_request(ctx, account, int(match.group(1)))
    plans = {o.instalments: o for o in offers if o.kind == "instalments"}
    if (match := _OF_COUNT.match(spoken)) is not None and int(match.group(1)) in plans:
        return _restate(ctx, account, plans[int(match.group(1))])
    if (match := _PLACE_OR_COUNT.match(spoken)) is None:
        return None
    count = int(match.group(1))
    if not 0 < count <= len(offers) or count not in plans or plans[count] is offers[count - 1]:
        return None
    return _again(
        ctx,
        ctx.say(
            "debt_place_or_count",
            place=_choices(ctx, len(offers))[count - 1],
            option=describe(ctx, offers[count - 1], account.currency),
            count=count,
        ),
    )


def _earlier_list(ctx: TurnContext, account: Account, offers: list[Offer]) -> Decision | None:
    """Answer an option referred to while other options are listed anew after a refusal.

    One of the list before, said so ("la primera que me ofreciste", "la de antes", "the first
    one you offered"), is restated, even when it was refused; "la de antes" naming none of
    several lists them all. A place in both lists ("la 2") is the new list's, as the customer
    was told (None: the caller picks it). A place only the list before has ("la 3" of two) is
    never taken by its old number: the new list is said, with what that number was. None when
    no list came before or the keypad picks (by place in the list said)."""
    slots = ctx.state.slots
    pending = slots.get("which_place")  # asked back; kept until a list or an offer is said
    earlier = [_from_slot(o) for o in slots.get("earlier", [])]
    if not earlier or "dtmf" in ctx.understood.entities or _too_dear_said(ctx):
        return None
    if _named_refusals(ctx, account, offers)[0]:
        return None  # "la 2 no", "no quiero la primera que me ofreciste"
    spoken, said = words_to_digits(normalise(ctx.text)), without_amounts(ctx.text)
    # "la última" is the new list's last; "la 3" of two is a place only the list before has
    places = accounts.positions(said, len(offers), _NOT_A_REQUEST) or accounts.positions(
        said, len(earlier), _NOT_A_REQUEST
    )
    place = places[0] if len(places) == 1 else None
    confirming = ctx.state.awaiting == "offer_confirm"
    if _EARLIER.search(spoken) and not _REFUSAL.search(_plain(ctx)):
        named = _by_amount(ctx.text, earlier) or [o for o in [_lump_sum(ctx.text, earlier)] if o]
        place = place or pending
        if len(named) == 1:
            offer: Offer | None = named[0]
        elif place is not None and place <= len(earlier):
            offer = earlier[place - 1]
        else:  # "sí, como te dije antes" names no option to restate instead
            offer = earlier[0] if len(earlier) == 1 and not confirming else None
        if offer is None:
            return None if confirming else _options_again(ctx, account)
        proposed = slots.get("proposed")
        if confirming and proposed is not None and proposed["code"] != offer.code:
            _refuse(ctx, [_from_slot(proposed)])  # "no, la primera que me ofreciste"
        return _restate(ctx, account, offer)
    if confirming or _refused(ctx) or requested_count(ctx.text) is not None:
        return None
    if place is None or place > len(earlier) or bare_count(ctx.text, offers) is not None:
        return None
    if place <= len(offers):
        return None  # the new list's: the list was said to be numbered anew
    old = earlier[place - 1]
    slots["which_place"] = place
    text = ctx.say(
        "debt_place_not_listed",
        offers=_described(ctx, offers, account),
        place=_choices(ctx, place)[-1],
        earlier=describe(ctx, old, account.currency),
        refused=old.code in slots.get("refused", []),
    )
    return _ask_which_list(ctx, text, pending)


def _ask_which_list(ctx: TurnContext, text: str, pending: int | None) -> Decision:
    """Say which list a number only the list before has is of: a fair question the first
    time, never counted as a turn not understood; asked again, it is (the second goes to a
    person)."""
    if pending is not None:
        return _again(ctx, text)
    return Decision(text, step="asked_which_list")


def _brief(offer: Offer) -> dict[str, Any]:
    """Return what names ``offer`` briefly: a single payment's total, a plan's payments."""
    return {
        "kind": offer.kind,
        "total": offer.total,
        "n": offer.instalments,
        "amount": offer.amounts[0],
    }


def _shown_named(ctx: TurnContext, account: Account, offers: list[Offer]) -> Offer | None:
    """Return the one option shown earlier in the conversation and no longer listed that a turn
    names by its amount or as the single payment ("la de 382.500", "the 80 one", "el pago
    único"); never by a number, which is the list's."""
    listed = {o.code for o in offers}
    shown = ctx.state.slots.get("shown", [])
    earlier = [o for o in _all_offers(ctx, account) if o.code in shown and o.code not in listed]
    if len(named := _by_amount(ctx.text, earlier)) == 1:
        return named[0]
    return None if named else _lump_sum(ctx.text, earlier)


def _plan_with_a_start(ctx: TurnContext, account: Account, offers: list[Offer]) -> Offer | None:
    """Return the one plan a turn takes with a date for it in a clause of its own ("la de 150
    pero empezando en enero", "the 80 one but starting in January"): the plan named, never the
    single payment the date alone would ask for. A plan starts when the policy says, and its
    restatement tells the day of the first payment. None when no clause names a plan, one
    refuses what it names, or the clause naming it names a date too."""
    clauses = [c for c in _option_clauses(ctx.text) if c.strip()]
    dated = [c for c in clauses if requested_date(c, ctx.today) is not None]
    if not dated or len(dated) == len(clauses):
        return None
    every = _all_offers(ctx, account)
    described = _described(ctx, offers, account)
    named: list[Offer] = []
    for i, clause in enumerate(clauses):
        if clause in dated:
            continue
        # "the first payment", "pagar la primera" speak of a plan's start, not of option 1
        naming = _STARTING.sub(" ", _FIRST_INSTALMENT.sub(" ", clause))
        found = _named(naming, offers, described, every)
        if found and (_too_dear(clause) or _refuses(clause, first=i == 0)):
            return None
        named += found
    picked = list({o.code: o for o in named}.values())
    if len(picked) != 1 or picked[0].kind != "instalments":
        return None
    return picked[0]


def _named_refusal(ctx: TurnContext, account: Account, offers: list[Offer]) -> Decision | None:
    """Answer options refused by their place, amount or words ("la de 382.500 no me alcanza",
    "el de 382 mil no puedo", "no quiero la 1", "the 150 one is too much for me"): never picked
    nor restated. Refused as too dear, or with what the customer cannot pay, every option as
    large goes too. An option named and not refused ("la 3 no, la 2") is restated, else the
    other options are shown, else a person takes over; money offered besides ("la de 150 mil
    no, tengo 300 mil de una") is answered. None when the turn refuses nothing it names."""
    refused, too_dear, taken, rest = _named_refusals(ctx, account, offers)
    if not refused:
        return None
    done = _refuse_said(ctx, account, refused, too_dear)
    left = list({o.code: o for o in taken if o.code not in done}.values())
    if len(left) == 1:
        return _restate(ctx, account, left[0])
    if (money := money_offered(", ".join(rest), offers)) is not None:
        return _money_reply(ctx, account, *money, offers)  # "..., pero puedo 100 mil al mes"
    return _other_options(ctx, account, refused, too_dear, listed=offers)


def _named_refusals(
    ctx: TurnContext, account: Account, offers: list[Offer]
) -> tuple[list[Offer], list[Offer], list[Offer], list[str]]:
    """Read the turn clause by clause: return the options it names and refuses, those of them
    refused as too dear or with what the customer cannot pay ("no me alcanza", "no puedo", "no
    tengo", "I can't pay"), the options named and not refused, and the clauses naming none."""
    every = _all_offers(ctx, account)
    described = _described(ctx, offers, account)
    asks = _asks(ctx)  # "¿la 2 no tiene descuento?" refuses nothing
    refused: list[Offer] = []
    too_dear: list[Offer] = []
    taken: list[Offer] = []
    rest: list[str] = []
    for i, clause in enumerate(_option_clauses(ctx.text)):
        if not (named := _named(clause, offers, described, every)):
            rest.append(clause)
        elif _too_dear(clause) or (not asks and _refuses(clause, first=i == 0)):
            refused += named
            if _too_dear(clause) or _MONEY_OFFERED.search(normalise(clause)):
                too_dear += named
        else:
            taken += named
    return refused, too_dear, taken, rest


def _option_clauses(text: str) -> list[str]:
    """Return the clauses of ``text`` (money kept whole, numbers as digits), a clause turning
    from one option referred to to the next split there as by a comma."""
    clauses: list[str] = []
    for clause in _MONEY_CLAUSES.split(fold(text)):
        spoken, start = numeric_form(clause), 0
        for turn in _NEXT_OPTION.finditer(spoken):
            if re.search(_OPTION_REFERENCE, spoken[start : turn.start()]):
                clauses.append(spoken[start : turn.start()])
                start = turn.end()
        clauses.append(spoken[start:])
    return clauses


def _note_named_refusals(ctx: TurnContext, account: Account, offers: list[Offer]) -> None:
    """Note the options the turn refuses by name before answering what else it asks ("80 is
    too much, can I do 4 payments?" is never answered with the plan of 80)."""
    refused, too_dear, _, _ = _named_refusals(ctx, account, offers)
    if refused:
        _refuse_said(ctx, account, refused, too_dear)


def _willing(ctx: TurnContext, offers: list[Offer], currency: str) -> Decision:
    """Answer a bare yes to "which option do you prefer?": the customer is willing but has not
    chosen. Never booked, never counted as an answer not understood: the first yes is asked to
    pick by number, the second is asked which one with the options named briefly, the third
    goes to a person who is told the customer wants to pay."""
    yeses = ctx.state.slots.get("yeses", 0) + 1
    ctx.state.slots["yeses"] = yeses
    choices = _choices(ctx, len(offers))
    pick = ctx.say("debt_pick_among", choices=choices)
    if yeses == 1:
        return Decision(pick, step="asked_offer_again")
    if yeses == 2:
        brief = [_brief(o) for o in offers]
        text = ctx.say("debt_which_option", offers=brief, choices=choices, currency=currency)
        if ctx.channel == "sms" and not sms.fits(text, ctx.settings.max_sms_segments):
            text = pick  # the options named would be cut: their numbers only
        return Decision(text, step="asked_which_option")
    ctx.state.finish()
    return Decision(
        ctx.say("debt_choice_to_person"), ESCALATE, reason="wants_to_pay", step="wanted_to_pay"
    )
