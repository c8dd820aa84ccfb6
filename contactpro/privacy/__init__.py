"""Customers' personal data: redaction at the door, masks for the console and LLM prompts."""

from contactpro.privacy.display import mask_customer_ids, mask_identifier
from contactpro.privacy.prompts import mask_for_llm
from contactpro.privacy.redaction import redact, redact_segments

__all__ = ["mask_customer_ids", "mask_for_llm", "mask_identifier", "redact", "redact_segments"]
