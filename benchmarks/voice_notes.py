"""Voice-note benchmark: word error rate and seconds to answer, WhatsApp Ogg/Opus end to end.

Each mono clip of ``../shared/data/speech`` is encoded as Ogg/Opus (what WhatsApp sends),
served by a local media server, and posted as a signed WhatsApp webhook to the app on a
temporary SQLite database with tasks run in the request's wake (eager), the offline Whisper
``base`` model, and the recording telephony fake. Reported per clip and language:

- word error rate of the stored transcript (normalised, ``contactpro.speech.quality``);
- seconds from the webhook's arrival to the answer handed to Twilio (download, decode, VAD,
  Whisper, understanding, dialog, Messages API), warm model; the first clip also pays the
  model load, reported separately.

Run: ``.venv/bin/python benchmarks/voice_notes.py [--threads 2]``. Not a test.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import av
import numpy as np
from twilio.request_validator import RequestValidator

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import select  # noqa: E402

from contactpro import migrate  # noqa: E402
from contactpro.models import MessageMedia  # noqa: E402
from contactpro.speech.audio import Audio, decode_audio  # noqa: E402
from contactpro.speech.quality import word_error_rate  # noqa: E402
from webhooks import create_app  # noqa: E402

DATA = REPO.parent / "shared" / "data" / "speech"
TOKEN = "bench-token-0123456789abcdef"
PUBLIC = "https://bench.example.com"


def ogg_opus(audio: Audio) -> bytes:
    """Encode the first channel as Ogg/Opus at the clip's rate (16 kHz: WhatsApp's own)."""
    buffer = io.BytesIO()
    rate = audio.sample_rate if audio.sample_rate in (8000, 12000, 16000, 24000, 48000) else 48000
    with av.open(buffer, "w", format="ogg") as out:
        stream = out.add_stream("libopus", rate=rate)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(audio.samples[:1].astype(np.float32)), format="fltp", layout="mono"
        )
        frame.sample_rate = audio.sample_rate
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buffer.getvalue()


def serve(files: dict[str, bytes]) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            body = files.get(self.path, b"")
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "audio/ogg")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"127.0.0.1:{httpd.server_address[1]}"


def clips(data: Path) -> list[dict[str, str]]:
    with (data / "transcripts.tsv").open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t") if "#" not in r["file"]]
    return [r for r in rows if r["channels"] == "1"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    rows = clips(args.data)
    files = {
        f"/Media/ME{i}": ogg_opus(decode_audio((args.data / r["file"]).read_bytes()))
        for i, r in enumerate(rows)
    }
    httpd, host = serve(files)
    tmp = Path(tempfile.mkdtemp(prefix="voice-notes-bench-"))
    url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    migrate.upgrade(url)
    app = create_app(
        {
            "env": "test",
            "database_url": url,
            "var_dir": str(tmp / "var"),
            "task_always_eager": True,
            "twilio_auth_token": TOKEN,
            "public_url": PUBLIC,
            "voice_recording_hosts": (host,),
            "whisper_threads": args.threads,
        }
    )
    client, validator = app.test_client(), RequestValidator(TOKEN)
    results: list[dict[str, Any]] = []
    for i, row in enumerate(rows):
        sid = f"MM{i:032x}"
        params = {
            "MessageSid": sid,
            "AccountSid": "AC" + "0" * 32,
            "From": f"whatsapp:+5730000000{i:02d}",
            "To": "whatsapp:+14155238886",
            "Body": "",
            "NumMedia": "1",
            "MediaUrl0": f"http://{host}/Media/ME{i}",
            "MediaContentType0": "audio/ogg",
            "WaId": f"5730000000{i:02d}",
            "ProfileName": "Bench",
        }
        signature = validator.compute_signature(PUBLIC + "/twilio/sms", params)
        started = time.perf_counter()
        response = client.post(
            "/twilio/sms", data=params, headers={"X-Twilio-Signature": signature}
        )
        answered = time.perf_counter() - started
        assert response.status_code == 200, response.data
        with app.extensions["contactpro"].db.session() as session:
            note = session.scalars(
                select(MessageMedia).where(MessageMedia.message_sid == sid)
            ).one()
            results.append(
                {
                    "file": row["file"],
                    "lang": row["lang"],
                    "seconds": float(row["duration_s"]),
                    "status": note.status,
                    "wer": word_error_rate(row["reference"], note.transcript or "", row["lang"]),
                    "asr_confidence": note.asr_confidence,
                    "processing": note.processing_seconds,
                    "to_answer": answered,
                    "transcript": note.transcript,
                }
            )
    httpd.shutdown()
    header = ("clip", "lang", "audio s", "status", "WER", "conf", "ASR s", "answer s")
    print("{:32} {:4} {:>7} {:9} {:>5} {:>5} {:>6} {:>8}".format(*header))
    for r in results:
        print(
            f"{r['file']:32} {r['lang']:4} {r['seconds']:7.2f} {r['status']:9} {r['wer']:5.2f} "
            f"{(r['asr_confidence'] or 0):5.2f} {(r['processing'] or 0):6.2f} {r['to_answer']:8.2f}"
        )
    for lang in ("es", "en"):
        mine = [r for r in results if r["lang"] == lang]
        if mine:
            warm = [r["to_answer"] for r in mine[1:]] or [mine[0]["to_answer"]]
            print(
                f"{lang}: mean WER {sum(r['wer'] for r in mine) / len(mine):.3f}, "
                f"median seconds to answer (warm) {sorted(warm)[len(warm) // 2]:.2f}"
            )
    print(f"first note (includes loading the model): {results[0]['to_answer']:.2f} s")


if __name__ == "__main__":
    main()
