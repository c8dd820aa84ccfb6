"""QA probe (temporary)."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET

import pytest

from contactpro.models import CancellationRequest
from devtools.simulator import new_sid
from tests.conftest import TWILIO_ACCOUNT_SID
from tests.contactpro.dialog.conftest import (
    ENGLISH,
    SPANISH,
    add_account,
    agreements,
    all_rows,
    escalations,
    latest_state,
    make_overdue,
    place,
)

with open(os.environ.get("QA_SCEN", "/tmp/qa_probe/scen.json")) as _f:
    SCEN = json.load(_f)


class WA:
    def __init__(self, twilio, phone):
        self.twilio, self.phone = twilio, phone

    def send(self, body):
        sid = new_sid("SM")
        params = {
            "MessageSid": sid, "SmsMessageSid": sid, "SmsSid": sid,
            "AccountSid": TWILIO_ACCOUNT_SID, "MessagingServiceSid": "",
            "From": "whatsapp:" + self.phone, "To": "whatsapp:+14155238886", "Body": body,
            "NumMedia": "0", "NumSegments": "1", "SmsStatus": "received",
            "ApiVersion": "2010-04-01", "WaId": self.phone.lstrip("+"), "ProfileName": "Camila",
            "MessageType": "text",
        }
        r = self.twilio.post("/twilio/sms", params)
        assert r.status_code == 200, r.data
        return " || ".join(el.text or "" for el in ET.fromstring(r.data).iter("Message"))


@pytest.mark.parametrize("name", list(SCEN))
def test_probe(name, sms, call, twilio, session, customer_factory):
    sc = SCEN[name]
    who = sc.get("who", "es")
    lang = "en" if who.startswith("en") else "es"
    phone = SPANISH if lang == "es" else ENGLISH
    if lang == "es":
        c = customer_factory(phone=phone, balance="540000")
    else:
        c = customer_factory(phone=phone, language="en", currency="USD", balance="300", name="Grace Miller")
    if "plain" not in who:
        make_overdue(session, c, "450000" if lang == "es" else "240.00", 75 if lang == "es" else 200)
    if sc.get("quadrant"):
        place(session, c, sc["quadrant"], sc.get("conformity", 30.0))
    frm = sc.get("from", phone)
    ch = sc.get("ch", "sms")
    out = [f"=== {name} [{ch} {who} q={sc.get('quadrant')}]"]
    if ch == "call":
        line = call(frm)
        r, v = line.start()
        out.append(f"  <ring> -> [{v}] {r}")
        for t in sc["turns"]:
            if t.startswith("#"):
                r, v = line.press(t[1:])
            else:
                r, v = line.say(t)
            out.append(f"  > {t!r}\n    < [{v}] {r}")
    else:
        th = WA(twilio, frm) if ch == "wa" else sms(frm)
        for t in sc["turns"]:
            out.append(f"  > {t!r}\n    < {th.send(t)}")
    for a in agreements(session):
        out.append(f"  AGREEMENT kind={a.kind} n={a.instalments} amt={a.instalment_amount} total={a.total} acct={a.account_id}")
    for e in escalations(session):
        out.append(f"  ESCALATION reason={e.reason} queue={e.queue} details={e.context.get('details')} verified={e.context.get('verified')} steps={e.context.get('steps_tried')}")
    for cr in all_rows(session, CancellationRequest):
        out.append(f"  CANCELREQ offer={cr.offer} outcome={cr.outcome} quadrant={cr.quadrant}")
    try:
        st = latest_state(session)
        out.append(f"  STATE awaiting={st.get('awaiting')} flow={st.get('flow')} verified={st.get('verified')} va={st.get('verify_attempts')} handoff={st.get('handoff')} pending={st.get('pending_intent')}")
    except Exception as exc:  # noqa: BLE001
        out.append(f"  STATE ? {exc}")
    with open(f"/tmp/qa_probe/out_{os.getpid()}.txt", "a") as f:
        f.write("\n".join(out) + "\n\n")
