"""Connection problems: a known outage first, else a guided check that remembers its step.

What the customer reports while a step is pending counts: "still dropping" is not fixed, "ya no
se cae, ya funciona" / "no more drops" is (a symptom said to be gone is no symptom), and a
red LOS light (the fibre signal) goes straight to the fibre step, or to a technician once that
step was tried. A step the customer says they already did ("ya reinicié el módem") is never
asked again, and one they cannot do ("no tengo computador") moves the guide on. Outage times
are said on the customer's clock (their own time zone, else the company's), never in UTC.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from contactpro.dialog import identity
from contactpro.dialog.context import ESCALATE, Decision, TurnContext
from contactpro.models import ServiceOutage, utcnow
from contactpro.nlu.rules import visit_asked
from contactpro.nlu.text import normalise

# A symptom said to be gone ("ya no se cae", "no more drops", "not dropping anymore") is good
# news, not a symptom: it is read first and taken out before anything else is looked for.
_NO_LONGER = re.compile(
    r"\bya no (se |me |nos )*(cae|caen|corta|va|desconecta|falla|parpadea|esta lent[oa]|"
    r"anda lent[oa])\b|"
    r"\bno (se |me |nos )*(ha |han )?(vuelto a )?(caer|caido|cortado|desconectado|fallado)\b|"
    r"\bno (se |me )*(cae|corta|desconecta|falla)s? mas\b|"
    r"\b(ya no|no) (tengo|tenemos|hay|he tenido) (ningun )?(problemas?|fallas?|cortes?|caidas?)\b|"
    r"\bsin (problemas?|fallas?|cortes|caidas)\b|"
    r"\b(not|isn'?t|is not|aren'?t|no longer|hasn'?t been|stopped|quit) (been )?"
    r"(dropping|cutting out|disconnecting|slow|blinking|flashing)\b( anymore| any more)?|"
    r"\b(doesn'?t|does not|didn'?t|hasn'?t|has not) (drop|dropped|cut out|disconnect)\w*"
    r"( anymore| any more| again)?\b|"
    r"\bno (more|longer any) (drops|dropping|problems?|issues?|cuts|disconnects|disconnections)\b|"
    r"\bno (problems?|issues?) (anymore|any more|now)\b"
)
# Still broken: a negation right before the verb ("no funciona", "doesn't work"), "sigue sin
# funcionar", "sigue igual", "still the same"... never a "no" anywhere in the sentence.
_STILL_BROKEN = re.compile(
    r"\b(no|nunca|tampoco|not|doesn'?t|does not|don'?t|isn'?t|is not|won'?t|aren'?t|"
    r"still not|still doesn'?t|didn'?t|did not|hasn'?t|has not)"
    r"( me| le| nos| lo| se| really| yet)? "
    r"(funciona|funcionan|sirve|anda|conecta|prende|work|works|working|connect|connecting|"
    r"load|loads|loading|fixed|fix|help|helped|solved|resolved|arreglo|arreglado|soluciono|"
    r"solucionado|resuelto|quedo)\b|"
    r"\bsin (funcionar|servicio|internet|senal|conexion)\b|"
    r"\bno (tengo|hay|tenemos) (internet|servicio|senal|conexion|red)\b|"
    r"\bno (internet|service|signal|connection)\b|"
    r"\bsigue(n)? (igual|mal|sin|fallando|cayendo|caido|cortandose|lent[oa])\b|"
    r"\b(todavia|aun) (no|nada|igual)\b|\bnot yet\b|"
    r"\bstill (the same|broken|down|out|off|bad|nothing|no)\b|\bsame (thing|problem|issue)\b|"
    r"\b(igual|nada|nothing)\b"
)
_SYMPTOM = re.compile(
    r"\b(se cae|se corta|se va|intermitente|lento|lenta|dropping|drops|keeps dropping|cutting out|"
    r"slow|parpadea|blinking|flashing)\b"
)
# "Red" is also Spanish for network: the English colour needs a light next to it.
_RED_LIGHT = re.compile(
    r"\b(luz|led|los)\b.*\b(roja|rojo)\b|\b(roja|rojo)\b.*\b(luz|led)\b|"
    r"\b(light|led)\b.*\bred\b|\bred (los|light|led)\b|"
    r"\blos (light )?(is )?red\b"
)
# "La luz no está roja", "the light isn't red": the light said not to be red.
_NOT_RED = re.compile(r"\b(no|not|isn'?t|ni)( esta| es| is)? (roja|rojo|red)\b")
# The guide's step about the fibre light (troubleshoot_steps, counting from 0).
FIBRE_STEP = 2
# The slot listing the guide's steps asked so far, in order.
ASKED_STEPS = "asked_steps"
# A problem with a mobile line ("mi celular no tiene señal", "my mobile data isn't working")
# follows the phone's guide (troubleshoot_mobile_steps): the modem's steps would not help. Words
# of the home service (wifi, módem, la casa) keep the home guide: the phone may just be the
# device on the wifi.
MOBILE_GUIDE = "mobile"
_MOBILE = re.compile(
    r"\b(celular|cel|movil|telefono|datos moviles|datos|linea movil|chip|sim|llamadas|"
    r"cell|cellphone|cell phone|mobile|mobile data|phone|data|calls|texts)\b"
)
_HOME = re.compile(
    r"\b(wifi|wi fi|modem|router|fibra|fiber|fibre|casa|hogar|home|house|tv|television|"
    r"decodificador|computador|computer|laptop|pc|internet)\b"
)
# The internet of the phone itself: "internet del celular", "mi celular no tiene internet",
# "mobile internet", "no internet on my phone" (the word internet alone is the home service).
_MOBILE_INTERNET = re.compile(
    r"\b(celular|movil|telefono|cell|cellphone|phone|mobile)( \w+){0,2} internet\b|"
    r"\binternet( \w+){0,2} (celular|movil|telefono|cell|cellphone|phone|mobile)\b"
)
# Only words that say the service works mean fixed; "I'm back" is the customer, not the service.
_WORKS = re.compile(
    r"\b(ya )?(funciona|funcionando|sirve|anda|conecta|volvio|works?|working|fixed|solved|"
    r"resolved|arreglo|arreglado|arreglada|soluciono|solucionado|solucionada|resuelto)\b|"
    r"\b(it|internet|service|connection|wifi|signal)('?s| is| has come| came)? back\b|"
    r"\bback (online|up|on ?line)\b|"
    r"\bya (tengo|hay|me llega|llego) (internet|servicio|senal|wifi)\b|"
    r"\bya (esta|quedo) bien\b|\b(fine|good) now\b|\ball good\b"
)
# The step was done ("listo", "ya lo hice", "done", "I unplugged it"): that says nothing yet
# about whether the service works, so the customer is asked that.
_DONE = re.compile(
    r"^\W*(listo|hecho|ya|ok|okay|vale|done|all done)\W*$|"
    r"\b(ya )?lo (hice|apague|prendi|encendi|reinicie|desconecte|conecte|revise|probe)\b|"
    r"\bya (apague|prendi|encendi|reinicie|desconecte|conecte|revise|hice|lo hice)\b|"
    r"\b(apague|reinicie|desconecte|reconecte) (el|la) (modem|router|cable|aparato|equipo)\b|"
    r"\blisto\b.*\b(hice|hecho)\b|^\W*(ok\W+)?listo\b|"
    r"\b(i )?(did it|did that|have done it|did what you said|'?ve done it|done that)\b|"
    r"\b(i )?(unplugged|restarted|rebooted|reset|turned|switched|plugged|checked|connected) "
    r"(it|them|the \w+|everything)\b|\bi'?m back\b|^\W*(ok\W+)?done\b"
)
# Below this the model's yes or no to "is it working now?" is a guess, not an answer.
ANSWER_MIN_CONFIDENCE = 0.6
# What the customer says they already did, by the guide's step (troubleshoot_steps, from 0):
# "ya reinicié el módem 3 veces", "los cables están bien conectados", "I already rebooted the
# router", "tried it with a laptop and a cable". A step already done is never asked again.
_TRIED = (
    re.compile(
        r"\b(reinici[eo]|reiniciamos|reinisie|reincie|resetie|resetee|restarted|rebooted|"
        r"reset|power cycled)\b|"
        r"\b(apague|desenchufe)( (el|la) (modem|router|equipo|aparato))? y (lo |la )?"
        r"(volvi a )?(prendi|encendi|conecte|enchufe|prender|encender|conectar|enchufar)\b|"
        r"\bdesconecte (el|la) (modem|router|equipo|aparato)\b|"
        r"\b(turned|switched) (it|the (modem|router)|everything) off and (back )?on\b|"
        r"\bunplugged (it|the (modem|router)) and plugged (it )?back\b"
    ),
    re.compile(
        r"\b(revise|mire|chequee|verifique|cheque|revisamos)( bien)?( que| q)? (todos )?"
        r"(los |el )?(cables?|conexiones)\b|"
        r"\b(cables?|conexiones) (estan |esta |esten |este )?(bien|ok|perfectos?)\b|"
        r"\bchecked (all )?(the |my )?(cables?|wires|connections)\b|"
        r"\b(cables?|wires) (are|is) (fine|ok|okay|good|plugged in|connected)\b"
    ),
    re.compile(
        r"\b(desconecte|reconecte|conecte|volvi a conectar)( y (volvi a )?conecte)? "
        r"(el |la )?(cable de |cable de la )?fibra\b|"
        r"\b(unplugged|replugged|reconnected|plugged)( and replugged)? (the |in the )?"
        r"(fiber|fibre)( cable)?\b"
    ),
    re.compile(
        r"\b(probe|conecte|intente|ensaye)( con| en)? (un |el |mi )?"
        r"(computador|compu|pc|portatil|laptop|cable de red)\b|"
        r"\b(tried|plugged in|connected|tested)( it)?( with| on| to)? (a |my |the )?"
        r"(computer|laptop|pc|ethernet|network cable)\b"
    ),
)
# The step cannot be done ("no tengo computador", "I don't have a laptop"): it fixes nothing,
# so the guide goes on instead of asking the same question again.
_CANNOT = re.compile(
    r"\bno (tengo|hay|tenemos)( un| una| ningun| ninguna)? "
    r"(computador|compu|pc|portatil|laptop|cable|cable de red)\b|"
    r"\b(don'?t|do not) (have|own) (a |an |any )?"
    r"(computer|laptop|pc|ethernet|network cable|cable)\b|"
    r"\bno (puedo|se como) hacer(lo)?\b|\bcan'?t do (it|that)\b"
)

# The step was done before the customer wrote ("ya lo había reiniciado", "ya lo reinicié antes
# de escribirles", "I already did that before calling"): it did not help, on to the next step.
_DONE_BEFORE = re.compile(
    r"\bya (lo |la )?habia (hecho|reiniciado|apagado|desconectado|probado|revisado)\b|"
    r"\bantes de (escribir|llamar|contactar|comunicarme)\w*\b|"
    r"\balready (did|done|tried|restarted|rebooted|checked)( that| it| this| them)?\b|"
    r"\b(did|tried|done) (that|it|this) (already|before)\b|"
    r"\bbefore (calling|texting|writing|contacting|i (called|texted|wrote))\b"
)
# The customer goes to do the step ("espera que voy a ver", "un momento", "hang on", "let me
# check"): they are given time, and it is no unclear answer.
_WAIT = re.compile(
    r"^\W*(espera|esperame|esperen|un momento|un momentico|un segundo|un minuto|dame un|"
    r"deme un|voy a (ver|revisar|probar|mirar|hacerlo)|ya voy|dejame (ver|revisar|probar)|"
    r"hang on|hold on|wait|one (sec|second|moment|minute)|just a (sec|second|moment|minute)|"
    r"give me a (sec|second|moment|minute)|let me (check|see|try|do))\b"
)
# Questions about the step itself: where the reset button is, a router instead of a modem.
_RESET_BUTTON = re.compile(r"\b(boton|botoncito|button)\b|\bdonde (se )?(reinicia|resetea)")
_ROUTER = re.compile(
    r"\bno (tengo|tenemos|hay) (un |una )?modem\b|"
    r"\b(don'?t|do not) have a modem\b|\bno modem\b"
)
# Asking whether there is an outage ("¿hay alguna falla en mi zona?", "is there an outage in my
# area?"): told when there is none on record before the guide.
_ASKS_OUTAGE = re.compile(
    r"\b(falla|fallas|caida|corte|dano|problema)s? (masiva|general|en (mi|la|el) "
    r"(zona|sector|barrio|area|ciudad))\b|\b(hay|tienen|tienes) (alguna |algun )?"
    r"(falla|caida|corte|dano|problema)\b|\boutages?\b|"
    r"\b(problem|issue)s? in (my|the) (area|neighborhood|zone|city)\b|"
    r"\b(is|are) (the )?(network|service|internet) down in\b"
)


def _result(intent: str, confidence: float, text: str) -> str | None:
    """Read the answer to a step and "is it working now?": fixed, broken, red_light, done
    (the step was done, no word yet on the service), or None when it is something else.

    The customer's words come before the model's guess: "ya no se cae, ya funciona" holds a
    "no" (and may be read as a denial) but says it is fixed; "sigue sin funcionar" is not fixed;
    "ya lo apagué y lo prendí" is the step done, never a payment ("apague" holds "pague").
    """
    if (heard := _words_result(text)) is not None:
        return heard
    if confidence < ANSWER_MIN_CONFIDENCE:
        return None
    if intent == "deny":
        return "broken"
    if intent == "affirm":
        return "fixed"
    if intent == "connection_problem":
        return "broken"
    return None


def _red_light_said(texts: list[str]) -> bool:
    """Return True when the request says the modem shows a red light ("luz roja", "LOS red")."""
    return any(
        _RED_LIGHT.search(norm) and not _NOT_RED.search(norm) for norm in map(normalise, texts)
    )


def _words_result(text: str) -> str | None:
    """Return what the customer's own words say of the step, the model's guess aside."""
    norm = normalise(text)
    if _RED_LIGHT.search(norm) and not _NOT_RED.search(norm):
        return "red_light"
    if _CANNOT.search(norm):
        return "broken"  # the step cannot be done here: on to the next one
    cleared = _NO_LONGER.search(norm) is not None
    rest = _NO_LONGER.sub(" ", norm)
    if _STILL_BROKEN.search(rest) or _SYMPTOM.search(rest):
        return "broken"
    if cleared or _WORKS.search(rest):
        return "fixed"
    if _DONE_BEFORE.search(rest):
        return "broken"  # done before writing, and the problem is why they wrote
    if _DONE.search(rest):
        return "done"
    return None


def claims(ctx: TurnContext) -> bool:
    """Return True when the turn answers the pending step in its own words (read first, even
    when the model took it for another topic: "ya lo apagué" is no payment)."""
    return ctx.state.awaiting == "step_result" and (
        _words_result(ctx.text) is not None
        or _aside(ctx) is not None
        or visit_asked(normalise(ctx.text)) is not None
    )


def _aside(ctx: TurnContext) -> str | None:
    """Return the template answering what the customer says about the step itself, when that
    is all they say: going to do it, where the reset button is, a router and no modem."""
    if _words_result(ctx.text) is not None:
        return None
    norm = normalise(ctx.text)
    if _WAIT.search(norm):
        return "troubleshoot_waiting"
    if _RESET_BUTTON.search(norm) and not _mobile(ctx):
        return "troubleshoot_reset_button"
    if _ROUTER.search(norm) and not _mobile(ctx):
        return "troubleshoot_router"
    return None


def current_outage(ctx: TurnContext, city: str | None) -> ServiceOutage | None:
    """Return an unresolved outage in ``city`` that has started."""
    if not city:
        return None
    now = utcnow()
    return ctx.session.scalars(
        select(ServiceOutage)
        .where(
            ServiceOutage.city == city,
            ServiceOutage.starts_at <= now,
            ServiceOutage.resolved_at.is_(None),
        )
        .order_by(ServiceOutage.starts_at.desc())
    ).first()


def _mobile(ctx: TurnContext) -> bool:
    """Return True when this conversation follows the mobile line's guide."""
    return ctx.state.slots.get("guide") == MOBILE_GUIDE


def _guide(ctx: TurnContext) -> str:
    """Return the template of the steps this conversation follows."""
    return "troubleshoot_mobile_steps" if _mobile(ctx) else "troubleshoot_steps"


def _about_mobile(texts: list[str]) -> bool:
    """Return True when the request is about a mobile line, not the home service."""
    norms = [normalise(text) for text in texts]
    # The phone's own internet is said first, so its "internet" is not the home service's.
    home = any(_HOME.search(_MOBILE_INTERNET.sub(" ", n)) for n in norms)
    return any(_MOBILE.search(n) for n in norms) and not home


def _step(ctx: TurnContext, index: int) -> Decision:
    ctx.state.slots["step"], ctx.state.slots["step_done"] = index, False
    asked = ctx.state.slots.setdefault(ASKED_STEPS, [])
    if index not in asked:
        asked.append(index)
    text = f"{ctx.say(_guide(ctx), index=index)} {ctx.say('troubleshoot_ask')}"
    return Decision(text, step=f"troubleshoot_{index + 1}")


def _request_texts(ctx: TurnContext) -> list[str]:
    """Return this turn and, when it is not the request itself (an id given first), the
    customer's turns back to the one about the connection."""
    texts = [ctx.text]
    if ctx.understood.intent == "connection_problem":
        return texts
    earlier = [t for t in ctx.interaction.turns if t.speaker == "caller"]
    for turn in reversed(earlier[-identity.REQUEST_LOOKBACK_TURNS :]):
        texts.append(turn.text)
        if turn.intent == "connection_problem":
            break
    return texts


def _note_tried(ctx: TurnContext, texts: list[str]) -> None:
    """Remember the steps the customer says they already did, as steps done in the packet."""
    tried = set(ctx.state.slots.get("tried", []))
    # Only restarting is a step of both guides; the others are the modem's.
    patterns = _TRIED[:1] if _mobile(ctx) else _TRIED
    for text in texts:
        norm = normalise(text)
        said = {i for i, pattern in enumerate(patterns) if pattern.search(norm)}
        ctx.state.steps.extend(f"troubleshoot_{i + 1}_done" for i in sorted(said - tried))
        tried |= said
    ctx.state.slots["tried"] = sorted(tried)


def _untried(ctx: TurnContext, start: int) -> int | None:
    """Return the first step from ``start`` the customer has not already done, or None."""
    tried = set(ctx.state.slots.get("tried", []))
    total = ctx.templates.count(_guide(ctx), ctx.language)
    return next((i for i in range(start, total) if i not in tried), None)


def _led_step(ctx: TurnContext, index: int, lead: str) -> Decision:
    """Ask step ``index`` after the words of template ``lead``; a conversation picking this up
    asks the step alone."""
    decision = _step(ctx, index)
    return Decision(f"{ctx.say(lead)} {decision.text}", step=decision.step, question=decision.text)


def _failed(ctx: TurnContext, asked: int) -> Decision:
    """Hand over to a technician after the first ``asked`` steps and those the customer did."""
    # The steps asked (a red light skips to the fibre's) and those done before: never a step
    # the guide went past unasked.
    steps = ctx.state.slots.get(ASKED_STEPS, range(asked))
    count = len(set(steps) | set(ctx.state.slots["tried"]))
    ctx.state.finish()
    return Decision(
        ctx.say("troubleshoot_failed", count=count), ESCALATE, reason="troubleshooting_failed"
    )


def start(ctx: TurnContext) -> Decision:
    """Check for an outage in the customer's city; otherwise begin the guide at the first step
    the customer has not already done."""
    if (question := identity.require(ctx, identity.IDENTIFIED, "connection_problem")) is not None:
        return question
    customer = ctx.customer
    outage = current_outage(ctx, customer.city if customer else None)
    if outage is not None:
        ctx.state.finish()
        until = ctx.say_time(outage.expected_end_at) if outage.expected_end_at else ""
        description = outage.description_es if ctx.language == "es" else outage.description_en
        return Decision(
            ctx.say("outage", city=outage.city, description=description, until=until),
            step="told_outage",
            resolved=True,
        )
    texts = _request_texts(ctx)
    guide = MOBILE_GUIDE if _about_mobile(texts) else "home"
    ctx.state.start("connection", "step_result", step=0, guide=guide)
    _note_tried(ctx, texts)
    first = _untried(ctx, 0)
    if first is None:
        return _failed(ctx, 0)
    # "Ya reinicié el módem": that step is not asked again, and the customer hears why.
    decision = _step(ctx, 0) if first == 0 else _led_step(ctx, first, "troubleshoot_skip")
    if guide == "home" and FIBRE_STEP not in ctx.state.slots["tried"] and _red_light_said(texts):
        # "El módem tiene la luz roja": the fibre's step first, as when said during the guide.
        ctx.state.slots[ASKED_STEPS] = []
        decision = _led_step(ctx, FIBRE_STEP, "troubleshoot_red_light_first")
    if any(visit_asked(normalise(text)) for text in texts):
        # "Quiero una visita técnica": the guide first, and the customer hears why.
        ctx.state.slots["visit_asked"] = True
        lead = ctx.say("troubleshoot_visit_first")
        asked = decision.question or decision.text
        return Decision(f"{lead} {decision.text}", step=decision.step, question=asked)
    if any(_ASKS_OUTAGE.search(normalise(text)) for text in texts):
        # "¿Hay alguna falla en mi zona?": answered before the guide, never ignored.
        city = customer.city if customer else None
        lead = ctx.say("troubleshoot_no_outage", city=city or "")
        asked = decision.question or decision.text
        return Decision(f"{lead} {decision.text}", step=decision.step, question=asked)
    return decision


def reply(ctx: TurnContext) -> Decision:
    """Move through the guide: fixed ends it, not fixed goes on, the end hands over."""
    index = int(ctx.state.slots.get("step", 0))
    if visit_asked(normalise(ctx.text)) and _words_result(ctx.text) != "fixed":
        # "No, solo manden un técnico", "sigue igual, manden un técnico": a person books the
        # visit, with the steps tried so far.
        ctx.state.finish()
        return Decision(
            ctx.say("troubleshoot_visit_insisted"),
            ESCALATE,
            reason="visit_requested",
            step="visit_requested",
        )
    if (aside := _aside(ctx)) is not None:
        # Said about the step, not its result: answered, and the step still waits.
        if aside == "troubleshoot_waiting":
            return Decision(ctx.say(aside, index=0), step="troubleshoot_waiting")
        return Decision(f"{ctx.say(aside)} {ctx.say('troubleshoot_ask')}")
    result = _result(ctx.understood.intent, ctx.understood.confidence, ctx.text)
    if result == "done" and not ctx.state.slots.get("step_done"):
        # The step is done: now the question it was for.
        ctx.state.slots["step_done"] = True
        return Decision(ctx.say("troubleshoot_ask"), step=f"troubleshoot_{index + 1}_done")
    if result == "done":
        result = None  # done again, still no word on the service: asked once more below
    if result == "fixed":
        ctx.state.finish()
        ctx.state.outcome_detail = "fixed"
        return Decision(ctx.say("troubleshoot_fixed"), step="connection_fixed", resolved=True)
    if result is None:
        # Anything else while a step is pending: ask again once about this step.
        if ctx.state.slots.get("asked_again"):
            ctx.state.finish()
            return Decision("", ESCALATE, reason="not_understood")
        ctx.state.slots["asked_again"] = True
        return Decision(ctx.say("troubleshoot_ask"))
    total = ctx.templates.count(_guide(ctx), ctx.language)
    _note_tried(ctx, [ctx.text])
    if result == "red_light" and _mobile(ctx):
        result = "broken"  # a phone has no fibre light: on to its next step
    fibre_left = FIBRE_STEP not in ctx.state.slots["tried"]
    if result == "red_light" and index < FIBRE_STEP < total and fibre_left:
        following: int | None = FIBRE_STEP
    else:
        following = None if result == "red_light" else _untried(ctx, index + 1)
    if following is None:
        return _failed(ctx, index + 1)
    ctx.state.slots["asked_again"] = False
    return _led_step(ctx, following, "troubleshoot_next")
