"""Liveness and readiness probes."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """The process is up."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """The database answers; 503 when it does not."""
    try:
        with current_app.extensions["contactpro"].db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return jsonify(status="unavailable", database=str(exc.__class__.__name__)), 503
    return jsonify(status="ok", database="ok"), 200
