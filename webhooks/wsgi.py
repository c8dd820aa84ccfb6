"""WSGI entry point for gunicorn, and the Celery app for ``celery -A``.

gunicorn -w 4 -b 0.0.0.0:8000 'webhooks.wsgi:app'
celery -A webhooks.wsgi:celery worker --loglevel=INFO
"""

from webhooks import create_app, warm_up

app = create_app()
warm_up(app)  # each gunicorn worker (and the Celery parent, before it forks) loads models once
celery = app.extensions["celery"]
