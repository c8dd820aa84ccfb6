"""Written channels beyond plain SMS: WhatsApp's window, media on messages, voice notes.

``outbound`` sends what we write first (surveys, warnings, answers to voice notes) within
WhatsApp's 24-hour customer-service window or with an approved template; ``media`` keeps the
files customers send; ``voice_notes`` transcribes audio and answers it.
"""
