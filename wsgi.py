"""The WSGI entry point: waitress-serve --listen=127.0.0.1:5000 wsgi:app"""
import gc

from compliance import create_app

app = create_app()

# What start-up made (modules, configuration, the frameworks) lives as long as the process: moved out of the
# collector's sight, a full collection no longer walks its 70,000 objects, which stalled every thread for about
# 28 ms each time (measured in process with the requirement page; 1 ms once frozen).
gc.collect()
gc.freeze()
