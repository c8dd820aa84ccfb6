"""The comparison point for webhook benchmarks: Flask answering a fixed TwiML message."""

from flask import Flask, Response

app = Flask(__name__)
TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Tu saldo es de 125.000 pesos.'
    "</Message></Response>"
)


@app.post("/twilio/sms")
def sms() -> Response:
    """Return the same TwiML for every request."""
    return Response(TWIML, mimetype="application/xml")
