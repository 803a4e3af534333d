"""The job functions that may run, by name: core kinds and every plugin's ``jobs``.

Only registered functions run, so nothing that lands in Redis can make a worker call
an arbitrary import path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app

JobFunction = Callable[..., Any]
_CORE: dict[str, JobFunction] = {}


def job_kind(name: str) -> Callable[[JobFunction], JobFunction]:
    """Register a core job function under ``name`` (e.g. ``tenant.export``)."""

    def register(fn: JobFunction) -> JobFunction:
        if _CORE.get(name, fn) is not fn:
            raise ValueError(f"job kind {name} registered twice")
        _CORE[name] = fn
        return fn

    return register


def all_kinds() -> dict[str, JobFunction]:
    kinds = dict(_CORE)
    for plugin in current_app.extensions["linli.plugins"].plugins.values():
        for name, fn in plugin.jobs.items():
            kinds[f"{plugin.name}.{name}"] = fn
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
