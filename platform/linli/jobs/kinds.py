"""The job functions that may run, by name: core kinds and every plugin's ``jobs``.

Only registered functions run, so nothing that lands in Redis can make a worker call
an arbitrary import path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import current_app

JobFunction = Callable[..., Any]
_CORE: dict[str, JobFunction] = {}
_KINDS_KEY = "linli.job_kinds"


def job_kind(name: str) -> Callable[[JobFunction], JobFunction]:
    """Register a core job function under ``name`` (e.g. ``tenant.export``)."""

    def register(fn: JobFunction) -> JobFunction:
        if _CORE.get(name, fn) is not fn:
            raise ValueError(f"job kind {name} registered twice")
        _CORE[name] = fn
        return fn

    return register


def all_kinds() -> Mapping[str, JobFunction]:
    """Every kind the current app runs, gathered once per app and number of core kinds
    (a plugin's jobs are fixed when the app is made; core kinds are only ever added):
    each enqueue and each job looks its kind up here."""
    known: tuple[int, dict[str, JobFunction]] | None = current_app.extensions.get(_KINDS_KEY)
    if known is not None and known[0] == len(_CORE):
        return known[1]
    kinds = dict(_CORE)
    for plugin in current_app.extensions["linli.plugins"].plugins.values():
        for name, fn in plugin.jobs.items():
            kinds[f"{plugin.name}.{name}"] = fn
    current_app.extensions[_KINDS_KEY] = (len(_CORE), kinds)
    return kinds


def kind_of(fn: JobFunction | str) -> str:
    kinds = all_kinds()
    if isinstance(fn, str):
        if fn not in kinds:
            raise ValueError(f"unknown job kind {fn}")
        return fn
    for name, registered in kinds.items():
        if registered is fn:
            return name
    raise ValueError(f"{fn!r} is not a registered job function")
