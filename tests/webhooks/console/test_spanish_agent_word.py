"""Spanish manager pages call an agent "asesor", as the rest of the console and the bot do.

The settings page labelled the on-duty field "Agente de turno" while its own change log said
"aviso al asesor de turno", and the agents page headed its first column "Agente" under the
menu entry "Asesores".
"""

from __future__ import annotations

import re

from tests.webhooks.console.conftest import login


def _words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_spanish_manager_pages_say_asesor(client, users):
    login(client, "max@example.com")
    config = _words(client.get("/console/manager/config?lang=es").text)
    assert "Asesor de turno (correo; recibe los SMS de prioridad máxima)" in config
    agents = _words(client.get("/console/manager/agents?lang=es").text)
    callbacks = _words(client.get("/console/callbacks?lang=es").text)
    for page in (config, agents, callbacks):
        assert not re.search(r"\bAgente\b", page), page[:400]
    english = _words(client.get("/console/manager/config?lang=en").text)
    assert "On-duty agent" in english
