"""Agreement scans (协议扫描件) kept on disk under the instance folder, per community.

A file is named by a fresh id, never by what the uploader called it (no path traversal,
no collisions), and accepted only when its first bytes are a PDF, JPEG or PNG: the
name's extension is not trusted.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from flask import current_app

from linli.tenancy.context import require_tenant

MAX_BYTES = 10 * 1024 * 1024
#: Leading bytes → (content type, extension) of the kinds a scan comes in.
KINDS = {
    b"%PDF-": ("application/pdf", ".pdf"),
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
}


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a file starting with ``head``, or None."""
    return next((kind for magic, kind in KINDS.items() if head.startswith(magic)), None)


def folder() -> Path:
    root: Path = current_app.config["LINLI"].instance_path / "partners" / str(require_tenant().id)
    root.mkdir(parents=True, exist_ok=True)
    return root


def path_of(file_id: uuid.UUID, extension: str) -> Path:
    return folder() / f"{uuid.UUID(str(file_id))}{extension}"
