"""Understanding callers: language, rules, trained classifier, LLM, and the cascade over them.

The package imports none of its modules, so a caller that needs one (masking, text folding)
does not load the whole cascade: ``contactpro.nlu.cascade.get_cascade`` is the entry point.
"""
