"""``/`` is for people: it leads to the console, whose times are the company's."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from flask import g, render_template_string

from tests.webhooks.console.conftest import login


def test_the_root_sends_a_person_to_the_console(client, users):
    response = client.get("/")
    assert response.status_code == 302 and response.location.endswith("/console/login")
    login(client, "ana@example.com")
    home = client.get(client.get("/").location)  # logged in: the login page sends them home
    assert home.status_code == 302 and home.location.endswith("/console/queue")


def test_console_times_are_the_companys(app):
    moment = datetime(2025, 3, 2, 9, 10, tzinfo=UTC)  # not this year: the year is shown
    with app.test_request_context("/console/queue"):
        # the company's zone defaults to the voice line's, America/Bogota (UTC-5)
        said = render_template_string("{{ local_time(v) }}", v=moment)
        assert said == "2 de marzo de 2025, 04:10"
        assert render_template_string("{{ time_zone(v) }}", v=moment) == "America/Bogota (-05)"
    with app.test_request_context("/console/queue"):
        g.lang = "en"
        assert render_template_string("{{ local_time(v) }}", v=moment) == "March 2, 2025, 04:10"
    app.extensions["contactpro"].settings = replace(
        app.extensions["contactpro"].settings, company_timezone="Asia/Tokyo"
    )
    with app.test_request_context("/console/queue"):
        said = render_template_string("{{ local_time(v) }}", v=moment)
        assert said == "2 de marzo de 2025, 18:10"
        assert render_template_string("{{ time_zone(v) }}", v=moment) == "Asia/Tokyo (JST)"
