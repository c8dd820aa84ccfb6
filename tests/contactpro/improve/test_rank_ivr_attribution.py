"""``improve rank`` on an imported IVR call log: each unresolved call counts once, against the
step that failed it, and a caller asking for a person is never something to automate."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from contactpro.improve import rank
from tests.cli.test_entry_point import run

BILL = {"es": "cuánto debo de mi factura", "en": "how much do I owe on my bill"}
PERSON_SAID = {"es": "quiero hablar con un asesor", "en": "I want to talk to an agent"}
HEADER = [
    "call_id",
    "timestamp",
    "call_type",
    "failure_step",
    "failure_reason",
    "segment",
    "duration",
    "transcript",
]
# Spellings IVRs use for "the caller pressed 0 / asked for an agent".
PERSON = ["agent_requested", "Agent-Requested", "AGENT REQUESTED", "agent_request", "operator"]


def ivr_log(path: Path, language: str) -> Path:
    """A month of billing calls: 40 failed voice biometrics, 22 the bot did not understand,
    30 resolved; 15 callers asked for a person; 5 fell at the PIN step."""
    rows: list[list[str]] = []

    def call(call_type: str, step: str, reason: str, duration: int, text: str) -> None:
        n = len(rows) + 1
        rows.append([f"C{n}", "2026-11-02T10:00:00Z", call_type, step, reason, "premium",
                     str(duration), text])  # fmt: skip

    for _ in range(40):
        call("auth", "authentication", "biometric_fail", 420, BILL[language])
    for _ in range(22):
        call("billing", "billing_menu", "not_understood", 300, BILL[language])
    for _ in range(30):
        call("billing", "", "", 300, BILL[language])
    for n in range(15):
        call("support", "menu", PERSON[n % len(PERSON)], 200, PERSON_SAID[language])
    for _ in range(5):
        call("auth", "authentication", "pin_timeout", 300, BILL[language])
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


@pytest.mark.parametrize("language", ["es", "en"])
def test_each_unresolved_ivr_call_counts_once_against_the_step_that_failed_it(
    tmp_path: Path, language: str
) -> None:
    """Billing is charged only the 22 calls its templates could recover; the 40 biometric
    failures go to that IVR step alone; the person requests are no candidate in any spelling;
    the order is the order of the expected saving."""
    log = ivr_log(tmp_path / "ivr.csv", language)
    assert run(["init-db"], tmp_path).returncode == 0
    imported = run(["conversations", "import", str(log), "--dataset", "ivr"], tmp_path)
    assert imported.returncode == 0, imported.stderr
    out = tmp_path / "rank.csv"
    result = run(["improve", "rank", "--dataset", "ivr", "--out", str(out)], tmp_path)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    by_name = {r["name"]: r for r in rows}
    assert by_name["billing_inquiry"]["unresolved"] == "22"
    assert by_name["billing_inquiry"]["effort"] == "1"
    assert by_name["biometric_fail"]["unresolved"] == "40"
    assert by_name["pin_timeout"]["unresolved"] == "5"
    # 67 unresolved calls that are not a request for a person, each counted once.
    assert sum(int(r["unresolved"]) for r in rows) == 67
    assert "not_understood" not in by_name  # the bot's own reason: its request's handler
    names = " ".join(r["name"].lower() for r in rows) + result.stdout.lower()
    assert "agent" not in names and "operator" not in names
    savings = [float(r["expected_saving"]) for r in rows]
    assert savings == sorted(savings, reverse=True)
    assert [int(r["rank"]) for r in rows] == list(range(1, len(rows) + 1))


@pytest.mark.parametrize(
    ("code", "person"),
    [
        ("transfer to live agent", True),
        ("Speak-To-Representative", True),
        ("pidio_asesor", True),
        ("cliente_pide_humano", True),
        ("zero_out", True),
        ("agent_transfer_failed", False),  # the transfer failed: a failure to rank
        ("no_agent_available", False),
        ("biometric_fail", False),
        ("", False),
    ],
)
def test_a_request_for_a_person_is_read_in_the_spellings_sources_use(
    code: str, person: bool
) -> None:
    assert rank.asks_for_person(code) is person
