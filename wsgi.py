"""The WSGI entry point: waitress-serve --listen=127.0.0.1:5000 wsgi:app"""
from compliance import create_app, settle_collector

app = create_app()
settle_collector()  # see its docstring: start-up's objects frozen, and fewer collections of short-lived ones
