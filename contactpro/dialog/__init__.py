"""Conversations: what the bot says next, from what it understood and the customer's data."""
