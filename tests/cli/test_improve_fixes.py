"""``contactpro improve`` through the installed entry point, as an operator runs it: a broken
proposal stops before the replay, a proposal that only delays hand-offs is not a cut in
escalations, a decided proposal stays decided, a resolved interaction has nothing to explain."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from contactpro.db import Database
from contactpro.improve import proposals, rank
from contactpro.models import ImproveRun, Interaction, Proposal, Turn
from tests.cli.test_entry_point import run

# Callers who cannot identify: today the bot hands over after two wrong ids.
CONVERSATIONS = [
    {
        "conversation_id": "ids-es",
        "meta": {
            "channel": "sms",
            "language": "es",
            "resolved": False,
            "escalation_reason": "verify_failed",
            "failure_step": "asked_verification",
        },
        "transcript": [
            {"role": "user", "content": "cuánto debo de mi factura"},
            {"role": "assistant", "content": "…"},
            {"role": "user", "content": "1234567"},
            {"role": "user", "content": "7654321"},
        ],
    },
    {
        "conversation_id": "ids-en",
        "meta": {
            "channel": "sms",
            "language": "en",
            "resolved": False,
            "escalation_reason": "verify_failed",
        },
        "transcript": [
            {"role": "user", "content": "how much do I owe on my bill"},
            {"role": "user", "content": "1234567"},
            {"role": "user", "content": "7654321"},
        ],
    },
    {
        "conversation_id": "roaming",
        "meta": {
            "channel": "sms",
            "language": "es",
            "resolved": False,
            "failure_step": "menu",
            "failure_reason": "no_input",
        },
        "transcript": [{"role": "user", "content": "¿tienen roaming en Europa?"}],
    },
]


def _data(tmp_path: Path) -> Path:
    path = tmp_path / "month.jsonl"
    lines = [json.dumps(c, ensure_ascii=False) for c in CONVERSATIONS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run(["init-db"], tmp_path).returncode == 0
    return path


def _db(tmp_path: Path) -> Database:
    return Database(f"sqlite:///{tmp_path / 'cli.sqlite3'}")


def test_a_broken_template_stops_the_replay_with_one_line(tmp_path: Path) -> None:
    """No traceback, no run left "running 0/0": one error naming the file and the key."""
    data = _data(tmp_path)
    (tmp_path / "p" / "templates").mkdir(parents=True)
    (tmp_path / "p" / "templates" / "es.toml").write_text(
        'escalate_sms = "{{ broken"\n', encoding="utf-8"
    )
    args = ["improve", "replay", "--data", str(data), "--proposed", "p", "--limit", "10"]
    result = run(args, tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [
        "Error: templates/es.toml: escalate_sms does not compile: a mark is left open, close "
        "it: {{ … }} (line 1); correct it in p/templates/es.toml and replay again"
    ], result.stderr
    db = _db(tmp_path)
    with db.session() as session:
        statuses = session.scalars(select(ImproveRun.status)).all()
    db.dispose()
    assert statuses == ["failed"]


def test_a_template_naming_what_the_product_does_not_fill_stops_the_replay(
    tmp_path: Path,
) -> None:
    """Every reply with such a text would fail: the replay refuses it up front, in one line."""
    data = _data(tmp_path)
    (tmp_path / "p" / "templates").mkdir(parents=True)
    (tmp_path / "p" / "templates" / "es.toml").write_text(
        'escalate_sms = "Hola {{ undefined_thing }} te llamamos"\n', encoding="utf-8"
    )
    args = ["improve", "replay", "--data", str(data), "--proposed", "p", "--limit", "10"]
    result = run(args, tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(
        "Error: templates.es: escalate_sms cannot fill {{ undefined_thing }}; use {{ channel }}"
    ), result.stderr


def test_a_delayed_hand_off_is_cut_short_not_a_cut_in_escalations(tmp_path: Path) -> None:
    """One more identification attempt: the recorded turns run out while the bot still waits.
    Those conversations are counted apart, not as escalations turned into abandons; the
    regenerated files tell the replayed outcome only; turns are the caller's."""
    data = _data(tmp_path)
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "settings.toml").write_text("max_verification_attempts = 3\n")
    args = ["improve", "replay", "--data", str(data), "--proposed", "p", "--out", "out"]
    result = run([*args, "--json"], tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    before, after = report["summary"]["baseline"], report["summary"]["proposed"]
    assert (before["cut_short"], after["cut_short"]) == (0, 2)
    assert before["compared"] == after["compared"] == 1
    assert before["escalated"] == after["escalated"] == 0  # no "escalated 2 -> 0"
    assert report["summary"]["delta"]["escalated"] == 0
    assert {c["conversation_id"]: c["direction"] for c in report["changed"]} == {
        "ids-es": "cut_short",
        "ids-en": "cut_short",
    }
    assert "turns_mean" not in before and before["caller_turns_mean"] == 1

    out = tmp_path / "out"
    for name in ("baseline_conversations.jsonl", "proposed_conversations.jsonl"):
        for line in (out / name).read_text(encoding="utf-8").splitlines():
            meta = json.loads(line)["meta"]
            if meta["outcome"] == "auto_resolved":
                assert meta["resolved"] is True
                assert "failure_step" not in meta and "failure_reason" not in meta
            else:
                assert meta["resolved"] is False
                assert meta.get("failure_reason") != "no_input"  # not the recording's
    baseline = [
        json.loads(x)
        for x in (out / "baseline_conversations.jsonl").read_text("utf-8").splitlines()
    ]
    es = next(c for c in baseline if c["conversation_id"] == "ids-es")
    assert es["meta"]["outcome"] == "escalated"
    assert es["meta"]["failure_reason"] == es["meta"]["escalation_reason"] != "verify_failed"
    proposed = [
        json.loads(x)
        for x in (out / "proposed_conversations.jsonl").read_text("utf-8").splitlines()
    ]
    assert all(
        c["meta"].get("replay_cut_short") for c in proposed if c["conversation_id"] != "roaming"
    )

    text = run(["improve", "replay", "--data", str(data), "--proposed", "p"], tmp_path)
    assert text.returncode == 0, text.stderr
    assert "cut short: 0 baseline, 2 proposed" in text.stdout
    assert "ids-es: escalated -> abandoned (cut short)" in text.stdout
    assert "caller_turns_mean" in text.stdout


def test_a_decided_proposal_stays_decided(tmp_path: Path) -> None:
    """approve -> approve / reject refused with one line; --by needs a name; an edit without
    the title's words keeps them (the Spanish pages keep the Spanish title)."""
    assert run(["init-db"], tmp_path).returncode == 0
    candidate = rank.Candidate(
        rank=1,
        kind="intent",
        name="billing_inquiry",
        volume=10,
        unresolved=6,
        unresolved_share=0.6,
        handling_minutes=5,
        effort=1,
        cost=1.0,
        score=1.0,
        expected_contained=3.6,
        expected_saving=10.0,
        currency="COP",
    )
    db = _db(tmp_path)
    with db.session() as session:
        [pid] = proposals.save(session, proposals.rule_drafts([], [], [candidate]))
    (tmp_path / "body.json").write_text(json.dumps({"change": "umbral 0.3"}), encoding="utf-8")

    nameless = run(["improve", "approve", str(pid), "--by", " "], tmp_path)
    assert nameless.returncode == 2 and "a name is required" in nameless.stderr
    approved = run(["improve", "approve", str(pid), "--by", "ana", "--edit", "body.json"], tmp_path)
    assert approved.returncode == 0, approved.stderr
    for again in (["approve", str(pid), "--by", "ana"], ["reject", str(pid), "--by", "luis"]):
        refused = run(["improve", *again], tmp_path)
        assert refused.returncode == 1 and "Traceback" not in refused.stderr
        assert refused.stderr.strip() == (
            f"Error: proposal {pid} is already approved: only drafts can be edited or decided"
        )
    with db.session() as session:
        stored = session.get(Proposal, pid)
        assert stored is not None
        status, body, by = stored.status, stored.body, stored.decided_by
    db.dispose()
    assert (status, by) == ("approved", "ana")
    assert body["change"] == "umbral 0.3" and body["title_words"]["key"] == "ptitle_review_flow"


def test_a_resolved_interaction_has_no_failure_to_explain(tmp_path: Path) -> None:
    """No invented root cause for a conversation the bot resolved."""
    assert run(["init-db"], tmp_path).returncode == 0
    db = _db(tmp_path)
    with db.session() as session:
        interaction = Interaction(
            channel="sms",
            twilio_sid="SMok",
            from_number="+573001112233",
            to_number="+15550001000",
            status="closed",
            outcome="auto_resolved",
            state={"steps": ["asked_clarification"]},
        )
        interaction.turns = [Turn(sequence=1, speaker="caller", text="mi saldo", source="sms")]
        session.add(interaction)
        session.flush()
        iid = interaction.id
    db.dispose()
    args = ["improve", "explain", "--interaction", str(iid)]
    result = run(args, tmp_path, CONTACTPRO_IMPROVE_CASE_ENCODER="hashing")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        f"interaction {iid} was resolved by the bot: there is no failure to explain"
    )
    assert "root cause" not in result.stdout


def test_proposing_again_drafts_nothing_already_proposed(tmp_path: Path) -> None:
    """A second run on the same month, or on the month with more conversations, repeats no
    proposal: the console's list is not filled with copies, and a rejected one stays rejected."""
    data = _data(tmp_path)
    first = run(["improve", "propose", "--data", str(data), "--json"], tmp_path)
    assert first.returncode == 0, first.stderr
    drafted = json.loads(first.stdout)
    assert drafted and all(d["already_proposed"] is None for d in drafted)
    assert (
        run(["improve", "reject", str(drafted[0]["id"]), "--by", "luis"], tmp_path).returncode == 0
    )

    again = run(["improve", "propose", "--data", str(data)], tmp_path)
    assert again.returncode == 0, again.stderr
    lines = again.stdout.strip().splitlines()
    assert lines[-1] == f"0 proposals drafted, {len(drafted)} already proposed"
    assert f"#{drafted[0]['id']} " in lines[0] and lines[0].endswith("(already proposed, rejected)")
    assert all(line.endswith("(already proposed, draft)") for line in lines[1:-1])

    more = CONVERSATIONS + [
        {**CONVERSATIONS[2], "conversation_id": "roaming-2"},
        {**CONVERSATIONS[0], "conversation_id": "ids-es-2"},
    ]
    data.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in more) + "\n", "utf-8")
    grown = run(["improve", "propose", "--data", str(data), "--json"], tmp_path)
    assert grown.returncode == 0, grown.stderr
    assert all(d["already_proposed"] for d in json.loads(grown.stdout))
    db = _db(tmp_path)
    with db.session() as session:
        stored = session.scalars(select(Proposal)).all()
    db.dispose()
    assert len(stored) == len(drafted)
