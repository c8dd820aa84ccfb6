"""Console lists as file downloads."""

from __future__ import annotations

from datetime import date

from flask import Response


def csv_download(body: str, name: str) -> Response:
    """Answer ``body`` as a CSV download named ``name-<date>.csv``."""
    filename = f"{name}-{date.today().isoformat()}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
