"""Voice calls beyond a single turn: what a call does next (:mod:`~contactpro.voice.decide`),
the hold loop, language choice, hand-off, voicemail, recordings and how a call ended.

Plain domain code like the rest of ``contactpro``: the voice blueprint and the voice tasks call
these functions and commit; nothing here knows about Flask or Celery.
"""
