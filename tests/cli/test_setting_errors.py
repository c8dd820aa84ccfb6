"""A setting given a value it cannot take is told in one line with the values it can take and the
one given, never as a Python tuple (through the installed entry point)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_entry_point import run


@pytest.mark.parametrize(
    ("variable", "value", "line"),
    [
        (
            "CONTACTPRO_DEFAULT_LANGUAGE",
            "fr",
            "CONTACTPRO_DEFAULT_LANGUAGE must be one of es, en, got 'fr'",
        ),
        (
            "CONTACTPRO_WHISPER_COMPUTE_TYPE",
            "int4",
            "CONTACTPRO_WHISPER_COMPUTE_TYPE must be one of int8, int8_float32, int8_float16, "
            "int16, float16, float32, default, got 'int4'",
        ),
        (
            "CONTACTPRO_IMPROVE_CASE_ENCODER",
            "bert",
            "CONTACTPRO_IMPROVE_CASE_ENCODER must be one of auto, e5, minilm, hashing, got 'bert'",
        ),
    ],
)
def test_a_value_a_setting_cannot_take_is_one_line(
    tmp_path: Path, variable: str, value: str, line: str
) -> None:
    result = run(["users", "list"], tmp_path, **{variable: value})
    assert result.returncode != 0
    assert line in result.stderr and "(" not in result.stderr.splitlines()[-1]
    assert "Traceback" not in result.stderr
