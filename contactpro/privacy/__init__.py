"""Customers' personal data: redaction at the door, masks for the console and LLM prompts."""

from contactpro.privacy.display import mask_identifier
from contactpro.privacy.prompts import mask_for_llm
from contactpro.privacy.redaction import redact

__all__ = ["mask_for_llm", "mask_identifier", "redact"]
