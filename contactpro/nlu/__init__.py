"""Understanding callers: language, rules, trained classifier, LLM, and the cascade over them."""

from contactpro.nlu.cascade import Cascade, get_cascade
from contactpro.nlu.result import Understanding

__all__ = ["Cascade", "Understanding", "get_cascade"]
