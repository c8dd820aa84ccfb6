"""Write every dashboard of a run as PNG files and an HTML index page."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from contactpro.config import LANGUAGES
from dashboards.figures import FIGURES, build_figure

# Figures are drawn once per console language; English keeps the plain file names.
FILE_LANGUAGE = "en"


def render_all(
    results: Mapping[str, Any],
    out_dir: Path,
    progress: Callable[[str], None] | None = None,
    language: str = FILE_LANGUAGE,
) -> dict[str, Path]:
    """Save every figure of ``results`` in ``language`` in ``out_dir``; return the paths.

    English figures are ``<name>.png``, other languages ``<name>.<language>.png``.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    suffix = "" if language == FILE_LANGUAGE else f".{language}"
    for name in FIGURES:
        if progress:
            progress(f"drawing {name} ({language})")
        figure = build_figure(name, results, language)
        path = out_dir / f"{name}{suffix}.png"
        figure.savefig(path, dpi=100)
        paths[name] = path
    return paths


def draw_dashboards(
    results: Mapping[str, Any],
    out_dir: Path,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Path]:
    """Draw every figure in every language and the index page of a run; return the files.

    The names are ``png_<language>_<figure>`` for each console language, ``png_<figure>`` for
    the English ones the index page shows, and ``index``; this is the renderer analysis runs
    take (:class:`contactpro.analytics.Renderer`).
    """
    images = render_all(results, out_dir, progress=progress)
    files = {f"png_{name}": path for name, path in images.items()}
    for language in LANGUAGES:
        drawn = images
        if language != FILE_LANGUAGE:
            drawn = render_all(results, out_dir, progress=progress, language=language)
        files.update({f"png_{language}_{name}": path for name, path in drawn.items()})
    files["index"] = write_index(results, images, out_dir)
    return files


def write_index(results: Mapping[str, Any], images: Mapping[str, Path], out_dir: Path) -> Path:
    """Write ``index.html``: the run's period, the KPI table and every figure."""
    rows = "\n".join(
        f"<tr><td>{html.escape(k['label'])}</td><td>{html.escape(k['text'])}</td></tr>"
        for k in results.get("kpis", [])
    )
    figures = "\n".join(
        f'<figure><img src="{html.escape(path.name)}" alt="{html.escape(FIGURES[name])}">'
        f"<figcaption>{html.escape(FIGURES[name])}</figcaption></figure>"
        for name, path in images.items()
    )
    report = (
        '<p><a href="report.html">Insight report</a></p>'
        if (out_dir / "report.html").exists() or results.get("report")
        else ""
    )
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>ContactPro dashboards - {html.escape(results.get("period_label", ""))}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #1f2933; }}
table {{ border-collapse: collapse; margin-bottom: 2rem; }}
td {{ border-bottom: 1px solid #d9e2ec; padding: .3rem 1rem; }}
figure {{ margin: 0 0 2rem 0; }} img {{ max-width: 100%; border: 1px solid #d9e2ec; }}
figcaption {{ color: #52606d; }}
</style></head><body>
<h1>ContactPro dashboards</h1>
<p>Period {html.escape(results.get("period_label", ""))}; run {results.get("run_id", "")};
code {html.escape(str(results.get("code_version", "")))}.</p>
{report}
<table>{rows}</table>
{figures}
</body></html>
"""
    path = out_dir / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
