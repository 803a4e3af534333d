"""Files that jobs produce (exports, reports), kept under the instance folder.

Paths are built from ids only — never from user input — and checked to stay inside
the community's folder.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from flask import current_app

SAFE_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_.")


def result_dir(tenant_id: int, record_id: uuid.UUID) -> Path:
    root: Path = current_app.config["LINLI"].instance_path / "job-results"
    folder = root / str(int(tenant_id)) / str(uuid.UUID(str(record_id)))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def result_path(tenant_id: int, record_id: uuid.UUID, name: str) -> Path:
    if not name or set(name) - SAFE_NAME_CHARS or name.startswith("."):
        return Path("/nonexistent")
    return result_dir(tenant_id, record_id) / name


UPLOAD_EXTENSIONS = frozenset({".xlsx", ".csv"})


def upload_path(tenant_id: int, upload_id: uuid.UUID, extension: str) -> Path:
    """Where an uploaded spreadsheet waits for its job: named by a fresh id, never by
    the uploader's file name (no path traversal, no collisions)."""
    if extension not in UPLOAD_EXTENSIONS:
        raise ValueError(f"unsupported upload type {extension}")
    root: Path = current_app.config["LINLI"].instance_path / "uploads" / str(int(tenant_id))
    root.mkdir(parents=True, exist_ok=True)
    return root / f"{uuid.UUID(str(upload_id))}{extension}"
