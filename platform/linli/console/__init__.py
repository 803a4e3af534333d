"""The web console under ``/console/``: server-rendered pages (Jinja2 + htmx), Chinese first.

People in a 街道 office and grid workers on their phones use these pages; they call the
same services as the JSON API, so a rule holds in both. A plugin adds its own pages with
:func:`linli.console.pages.console_blueprint` and lists them in its manifest
(``console_blueprint`` and ``console_pages``).
"""
