"""WSGI entry point for gunicorn: ``gunicorn linli.wsgi:app``."""

from linli.app import create_app

app = create_app()
