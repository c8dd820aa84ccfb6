"""``/metrics`` is for the machine's own scraper or a token holder, never the public port."""

from __future__ import annotations

from flask import Flask

from contactpro import migrate
from webhooks import create_app

TOKEN = "scrape-" + "s" * 32


def client_from(app: Flask, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_without_a_token_only_the_machine_itself_reads_metrics(app: Flask) -> None:
    assert client_from(app, "203.0.113.5").get("/metrics").status_code == 404
    assert client_from(app, "10.0.0.8").get("/metrics").status_code == 404
    for local in ("127.0.0.1", "::1"):
        response = client_from(app, local).get("/metrics")
        assert response.status_code == 200 and b"contactpro_" in response.data


def test_behind_one_proxy_a_forwarded_public_client_is_refused(app_config, backend) -> None:
    app = _app(app_config, backend, proxy_hops=1)
    proxied = client_from(app, "127.0.0.1")
    public = proxied.get("/metrics", headers={"X-Forwarded-For": "203.0.113.5"})
    assert public.status_code == 404


def test_with_a_token_only_its_bearer_reads_metrics_from_anywhere(app_config, backend) -> None:
    app = _app(app_config, backend, metrics_token=TOKEN)
    remote = client_from(app, "203.0.113.5")
    assert remote.get("/metrics").status_code == 404
    assert client_from(app, "127.0.0.1").get("/metrics").status_code == 404
    wrong = remote.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 404
    right = remote.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status_code == 200 and b"contactpro_" in right.data


def _app(app_config, backend, **settings) -> Flask:
    if backend is None:
        migrate.upgrade(app_config["database_url"])
    return create_app({**app_config, **settings})
