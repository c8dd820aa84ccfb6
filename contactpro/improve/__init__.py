"""Learn from every conversation: datasets, metrics, ranking, replay, explanations, proposals."""
