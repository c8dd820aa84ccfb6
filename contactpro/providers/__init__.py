"""The outside world behind Protocols, each with a real implementation and a fake."""
