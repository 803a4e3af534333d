"""The console's front-end files, served by the app itself (no CDN: a 街道 intranet may
have no way out). Vendor files come from the npm lockfile in ``assets/`` (``make
install`` runs ``npm ci``); the console's own CSS and script live in ``static/``."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, send_from_directory

from linli.api.problems import not_found
from linli.identity.permissions import public

HERE = Path(__file__).parent
NODE_MODULES = HERE / "assets" / "node_modules"
OWN = HERE / "static"
#: Every vendor file the console loads, by the name its pages use.
VENDOR = {
    "htmx.min.js": "htmx.org/dist/htmx.min.js",
    "echarts.min.js": "echarts/dist/echarts.min.js",
    "pico.min.css": "@picocss/pico/css/pico.min.css",
}
CACHE_SECONDS = 24 * 3600

bp = Blueprint("console_assets", __name__, url_prefix="/console/assets")


@bp.get("/<path:name>")
@public
def asset(name: str) -> Response:
    if name in VENDOR:
        path = NODE_MODULES / VENDOR[name]
        if not path.is_file():
            raise not_found("run `make install` to fetch the console's front-end packages")
        return send_from_directory(path.parent, path.name, max_age=CACHE_SECONDS)
    if not (OWN / name).is_file():
        raise not_found()
    return send_from_directory(OWN, name, max_age=CACHE_SECONDS)
