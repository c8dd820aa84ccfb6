"""Product questions in the customers' words reach the article that answers them; questions on
things the company does not offer stay below the minimum score and go to a person.

The labelled questions below are the measure: every on-topic one (plan sizes, "megas", "subir
la velocidad", short forms, typos) must rank its article first above ``knowledge_min_score``,
every off-topic one ("venden iphones", "who won the game") must stay below it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from contactpro.config import Settings
from contactpro.dialog.knowledge import answer, knowledge_base
from contactpro.nlu.text import fold
from tests.contactpro.dialog.conftest import ENGLISH, SPANISH, escalations, latest_state

ON_TOPIC = {
    "es": [
        ("cuánto vale el plan de 300 megas", "planes-internet-hogar"),
        ("cuanto bale el plam de 300 megaz", "planes-internet-hogar"),
        ("y si me cambio al de 300 megas cuánto pagaría", "planes-internet-hogar"),
        ("cuánto cuesta el plan de 500 megas", "planes-internet-hogar"),
        ("cuanto me sale el de 500", "planes-internet-hogar"),
        ("precio del internet de 100 megas", "planes-internet-hogar"),
        ("qué planes tienen", "planes-internet-hogar"),
        ("que planes hay", "planes-internet-hogar"),
        ("tienen planes mas baratos", "planes-internet-hogar"),
        ("cuanto cuesta el internet", "planes-internet-hogar"),
        ("la instalación cuánto tarda", "planes-internet-hogar"),
        ("quiero bajar mi plan a uno más barato, cuáles tienen", "cambio-de-plan"),
        ("me pueden subir la velocidad", "cambio-de-plan"),
        ("tienen fibra en medellin", "cobertura"),
        ("hay fibra en mi barrio", "cobertura"),
        ("cuántos canales tiene la tele", "television"),
        ("como activo el roaming", "roaming"),
        ("funciona mi celular en europa", "roaming"),
        ("cuantos gigas trae el plan movil", "plan-movil"),
        ("repetidor wifi cuanto vale", "equipos-modem"),
        ("cuando llega la factura", "ciclo-facturacion"),
        ("es gratis cambiar de plan", "cambio-de-plan"),
        ("cambiar de plan tiene costo", "cambio-de-plan"),
        ("solo bajar el plan", "cambio-de-plan"),
        ("cuales son los planes", "planes-internet-hogar"),
    ],
    "en": [
        ("how much is the 300 mb plan", "home-internet-plans"),
        ("how much is the 500 one", "home-internet-plans"),
        ("is it free to change my plan", "changing-plan"),
        ("just downgrade my plan", "changing-plan"),
        ("how much is the 300mb plan", "home-internet-plans"),
        ("what's the price of the 100 mb internet", "home-internet-plans"),
        ("what would I pay if I switch to 300 mb", "home-internet-plans"),
        ("what plans do you have", "home-internet-plans"),
        ("which plans are there", "home-internet-plans"),
        ("cheaper plans?", "home-internet-plans"),
        ("how much is internet", "home-internet-plans"),
        ("how long does installation take", "home-internet-plans"),
        ("I want to downgrade to a cheaper plan, which do you have", "changing-plan"),
        ("can you increase my speed", "changing-plan"),
        ("do you have fiber in medellin", "coverage"),
        ("how many tv channels", "tv-and-channels"),
        ("how do I turn on roaming", "international-roaming"),
        ("does my phone work in europe", "international-roaming"),
        ("how much is the mobile plan", "unlimited-mobile"),
        ("when is my bill due", "billing-cycle"),
    ],
}
OFF_TOPIC = {
    "es": [
        "venden iphones",
        "venden celulares",
        "venden televisores",
        "quién ganó el partido",
        "me pueden prestar plata",
        "cuál es el clima mañana",
        "quiero pedir una pizza",
        "cómo está el dólar hoy",
        "tienen seguros de vida",
        "cuál es el horario del banco",
        "tienen netflix",
        "venden computadores",
    ],
    "en": [
        "do you sell phones",
        "do you sell iphones",
        "do you sell tvs",
        "who won the game",
        "what's the weather tomorrow",
        "can I order a pizza",
        "lend me money",
        "do you have life insurance",
        "who is the president",
        "do you sell laptops",
        "how much is a flight to miami",
    ],
}


def _labelled(kind: dict) -> list[tuple[str, object]]:
    return [(language, item) for language, items in kind.items() for item in items]


@pytest.mark.parametrize(("language", "labelled"), _labelled(ON_TOPIC))
def test_a_product_question_ranks_its_article_first_above_the_minimum(language, labelled):
    question, slug = labelled
    settings = Settings()
    match = knowledge_base(settings, language).search(question, "co")
    assert match is not None and match.article.slug == slug, (question, match)
    assert match.score >= settings.knowledge_min_score, (question, match.score)


@pytest.mark.parametrize(("language", "question"), _labelled(OFF_TOPIC))
def test_a_question_on_something_not_offered_stays_below_the_minimum(language, question):
    settings = Settings()
    assert answer(settings, language, "co", question) is None, question


def test_a_title_naming_the_topic_answers_a_short_question(tmp_path: Path):
    """ "qué planes tienen" reaches an article titled "Planes disponibles", not the modem's."""
    (tmp_path / "es").mkdir()
    (tmp_path / "es" / "planes.md").write_text(
        "# Planes disponibles\n\nInternet de 200 Mb por 99.900 pesos y de 600 Mb por 149.900.",
        encoding="utf-8",
    )
    (tmp_path / "es" / "modem.md").write_text(
        "# El módem\n\nEl módem se presta sin costo y se devuelve al cancelar el servicio.",
        encoding="utf-8",
    )
    settings = replace(Settings(), knowledge_dir=str(tmp_path))
    for question in ("qué planes tienen", "cuánto vale el de 600 megas", "planes?"):
        match = answer(settings, "es", "co", question)
        assert match is not None and match.article.slug == "planes", question
    assert answer(settings, "es", "co", "venden iphones") is None


@pytest.mark.parametrize(
    ("language", "question", "slug", "must"),
    [
        ("es", "cuánto vale el plan de 300 megas", "planes-internet-hogar", "300 Mb por 119.900"),
        ("es", "qué planes tienen", "planes-internet-hogar", "300 Mb por 119.900"),
        ("es", "me pueden subir la velocidad", "cambio-de-plan", "subir de plan o de velocidad"),
        ("en", "how much is the 300 mb plan", "home-internet-plans", "300 Mb for 119,900"),
        ("en", "can you increase my speed", "changing-plan", "upgrade your plan or speed"),
    ],
)
def test_by_sms_the_customer_receives_the_articles_answer(
    sms, customer_factory, session, language, question, slug, must
):
    phone = {"es": SPANISH, "en": ENGLISH}[language]
    customer_factory(phone=phone, language=language, currency="COP")
    reply = sms(phone).send(question)
    assert fold(must) in fold(reply), reply
    assert "asesor" not in reply and "agent" not in reply, reply
    assert latest_state(session)["outcome_detail"] == f"article:{slug}"
    assert escalations(session) == []


@pytest.mark.parametrize(
    ("language", "question"),
    [
        ("es", "venden iphones"),
        ("es", "quién ganó el partido"),
        ("en", "do you sell phones"),
        ("en", "who won the game"),
    ],
)
def test_by_sms_an_off_topic_question_gets_no_article(
    sms, customer_factory, session, language, question
):
    phone = {"es": SPANISH, "en": ENGLISH}[language]
    customer_factory(phone=phone, language=language, currency="COP")
    reply = sms(phone).send(question)
    for word in ("Fuente", "Source", "pesos", "roaming", "Mb"):
        assert word not in reply, reply
    assert not str(latest_state(session).get("outcome_detail") or "").startswith("article:")
