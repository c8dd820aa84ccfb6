"""One module per intent the bot resolves; each exposes ``start`` and, if it asks, ``reply``."""
