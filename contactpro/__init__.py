"""ContactPro: the domain core of the call-center automation server.

Nothing in this package knows about Flask requests or Celery; ``webhooks`` and ``tasks`` are
adapters around it.
"""

__version__ = "0.1.0"
