"""WSGI entry point for gunicorn, and the Celery app for ``celery -A``.

gunicorn -w 4 -b 0.0.0.0:8000 'webhooks.wsgi:app'
celery -A webhooks.wsgi:celery worker --loglevel=INFO

Like the ``contactpro`` command, this module assembles the whole server, so it is the one module
of ``webhooks`` that hands the analysis tasks their dashboards renderer.
"""

from dashboards import draw_dashboards
from webhooks import create_app, warm_up

app = create_app()
app.extensions["contactpro"].renderer = draw_dashboards
warm_up(app)  # each gunicorn worker (and the Celery parent, before it forks) loads models once
celery = app.extensions["celery"]
