"""``/`` is for people: it leads to the console."""

from __future__ import annotations

from tests.console.conftest import login


def test_the_root_sends_a_person_to_the_console(client, users):
    response = client.get("/")
    assert response.status_code == 302 and response.location.endswith("/console/login")
    login(client, "ana@example.com")
    home = client.get(client.get("/").location)  # logged in: the login page sends them home
    assert home.status_code == 302 and home.location.endswith("/console/queue")
