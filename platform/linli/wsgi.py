"""WSGI entry point for gunicorn: ``gunicorn linli.wsgi:app``.

The app is built once per worker process, and what building it leaves behind (the
models' metadata, the OpenAPI spec, the plugins' manifests, the translations: some
100,000 objects) lives as long as the process. ``gc.freeze()`` takes them out of the
garbage collector's reach: otherwise every full collection walks them all again, a
pause of about 0.1 s that some request waits through, each time the caches filled by
the first requests trip one. The frozen pages are also never written by the collector,
so they stay shared with the master where gunicorn preloads the app.
"""

import gc

from linli.app import create_app

app = create_app()
gc.freeze()
