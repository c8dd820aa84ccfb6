"""Words that steer the conversation itself, honoured in every state.

"Empezar de nuevo" / "start over" drops the flow in progress and starts again (the customer
stays identified); "cancelar" / "stop" drops the flow in progress; a goodbye ends the
conversation. None of them is ever an answer to the question the bot was waiting on (a failed
security answer, an offer refused, an unknown id).
"""

from __future__ import annotations

import re

from contactpro.dialog.context import HANGUP, Decision, DialogState, TurnContext
from contactpro.dialog.handlers import clarify
from contactpro.nlu.result import Understanding
from contactpro.nlu.text import normalise

_POLITE = r"(?:\s+(?:por favor|porfa|please|gracias|thanks))?"
_RESTART = re.compile(
    r"^(?:(?:quiero|quisiera|puedo|podemos|vamos a|let'?s|can we|i want to|i'?d like to)\s+)?"
    r"(?:empezar|empecemos|comenzar|comencemos|volver a empezar|iniciar|reiniciar|"
    r"start|begin|restart)"
    r"(?:\s+(?:de nuevo|otra vez|de cero|desde cero|desde el principio|la conversacion|todo|"
    r"over|again|from the (?:top|beginning)|the conversation))?" + _POLITE + r"$"
)
_RESTART_BARE = frozenset({"empezar", "empecemos", "comenzar", "iniciar", "start", "begin"})
_STOP = re.compile(
    r"^(?:cancelar|cancela|cancelalo|cancela eso|olvidalo|olvida eso|dejalo asi|para|stop|"
    r"cancel|cancel that|cancel it|never ?mind|forget it)" + _POLITE + r"$"
)
_GOODBYE = re.compile(
    r"^(?:(?:(?:no|ok|okay|vale|listo|bueno)\s+)?(?:muchas\s+)?(?:gracias|thanks|thank you)\s+)?"
    r"(?:adios|chao|chau|hasta luego|hasta pronto|nos vemos|eso es todo|eso era todo|"
    r"bye|goodbye|bye bye|see you|that'?s all|that is all)(?:\s+\w+)?$"
)
GOODBYE_MIN_CONFIDENCE = 0.5
# "No gracias" / "no, nada más" / "no, thanks, that's all" after an answer: nothing more is
# needed. Any other word ("no, no me resolvió", "no, that didn't help") keeps it a real no.
_NO_WORDS = frozenset({"no", "nop", "nope", "nah", "na", "noo"})
_DONE_WORDS = frozenset(
    {"gracias", "thanks", "thank", "thx", "nada", "todo", "all", "good", "fine", "bien", "else"}
)
_CLOSING_WORDS = _DONE_WORDS | frozenset(
    {
        "muchas", "mil", "muy", "amable", "you", "u", "mas", "eso", "es", "era", "asi", "esta",
        "estoy", "estamos", "por", "ahora", "ok", "okay", "vale", "listo", "that's", "thats",
        "that", "is", "it", "it's", "its", "i'm", "im", "we're", "nothing", "for", "now", "so",
        "much", "very", "y", "and", "really", "pues",
    }
)  # fmt: skip


def declines_more(text: str) -> bool:
    """Return True when a "no" only says nothing more is needed: "no gracias", "no, nada más",
    "no, thanks, that's all" (never "no, no me resolvió" or "no, that didn't help")."""
    words = normalise(text).split()
    return (
        len(words) > 1
        and words[0] in _NO_WORDS
        and all(w in _CLOSING_WORDS or w in _NO_WORDS for w in words[1:])
        and any(w in _DONE_WORDS for w in words[1:])
    )


def _restart(norm: str) -> bool:
    return bool(_RESTART.match(norm)) and norm not in _RESTART_BARE


def _cancelling_asked(state: DialogState) -> bool:
    """Return True when the question waiting is about cancelling the service: the cancellation
    flow's, or a clarifying question that names cancelling as one of its topics."""
    if state.flow == "cancellation":
        return True
    return state.awaiting == clarify.AWAITING and "cancellation" in state.slots.get("topics", [])


def says_goodbye(understood: Understanding) -> bool:
    """Return True when the reading is a goodbye sure enough to end the conversation on ("gracias.
    y cuando vence?" read as a goodbye at 0.2 asks a question)."""
    return understood.intent == "goodbye" and (
        understood.tier in ("rules", "llm") or understood.confidence >= GOODBYE_MIN_CONFIDENCE
    )


def steer(ctx: TurnContext) -> Decision | None:
    """Honour a control word in any state; None when the turn is not one."""
    state, norm = ctx.state, normalise(ctx.text)
    if _restart(norm):
        state.finish()
        state.clarifications = 0
        state.resolved, state.confirmed = False, None
        return Decision(ctx.say("start_over"), step="started_over")
    in_flow = state.flow is not None or state.awaiting is not None
    if in_flow and _STOP.match(norm) and not (_cancelling_asked(state) and "cancel" in norm):
        # In the cancellation flow "cancelar" answers "do you want to cancel?", and it picks
        # cancelling when "¿cancelar tu servicio o ...?" was asked; with no flow in progress a
        # bare "cancelar" may be a request to cancel the service.
        state.finish()
        return Decision(ctx.say("flow_stopped"), step="stopped")
    said_goodbye = _GOODBYE.match(norm) or (
        says_goodbye(ctx.understood)
        and state.awaiting is None  # mid-flow "no gracias" may be a refusal: words only
    )
    if said_goodbye:
        if state.awaiting == "confirm_resolution":
            state.confirmed = True  # "gracias, eso es todo" to "¿resolví tu consulta?"
        state.finish()
        return Decision(ctx.say("goodbye"), HANGUP, step="goodbye")
    return None
