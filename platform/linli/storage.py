"""Files a module keeps for a community (photos of a matter, scans), on disk under the
instance folder: ``<instance>/files/<module>/<tenant id>/<file id><extension>``.

A file is named by a fresh id, never by what the uploader called it (no path traversal,
no collisions), and accepted only when its first bytes are of a kind the caller allows:
the name's extension and the declared content type are not trusted. The module keeps
the id and content type in its own rows; :func:`path_of` finds the bytes again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from linli.tenancy.context import require_tenant

#: Leading bytes → (content type, extension).
KINDS = {
    b"%PDF-": ("application/pdf", ".pdf"),
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
}
IMAGES = frozenset({"image/jpeg", "image/png"})
EXTENSIONS = {content_type: extension for content_type, extension in KINDS.values()}


@dataclass(frozen=True)
class StoredFile:
    id: uuid.UUID
    content_type: str
    size: int


def sniff(head: bytes) -> str | None:
    """The content type of a file starting with ``head``, or None for any other kind."""
    return next((kind for magic, (kind, _ext) in KINDS.items() if head.startswith(magic)), None)


def _folder(module: str) -> Path:
    instance: Path = current_app.config["LINLI"].instance_path
    root = instance / "files" / module / str(int(require_tenant().id))
    root.mkdir(parents=True, exist_ok=True)
    return root


def path_of(module: str, file_id: uuid.UUID, content_type: str) -> Path:
    """Where the current community's file ``file_id`` of ``module`` is kept."""
    return _folder(module) / f"{uuid.UUID(str(file_id))}{EXTENSIONS[content_type]}"


def store(module: str, content: bytes, allowed: Collection[str] = IMAGES) -> StoredFile | None:
    """Keep ``content`` for the current community; None when it is not an allowed kind."""
    content_type = sniff(content[:16])
    if content_type is None or content_type not in allowed:
        return None
    stored = StoredFile(uuid.uuid4(), content_type, len(content))
    path_of(module, stored.id, content_type).write_bytes(content)
    return stored


def remove(module: str, file_id: uuid.UUID, content_type: str) -> None:
    path_of(module, file_id, content_type).unlink(missing_ok=True)


def body_limit(max_bytes: int, *endpoints: str) -> Callable[[], None]:
    """A ``before_request`` hook giving ``endpoints`` a larger body limit (uploads), and
    refusing a larger body before a byte of it is read."""

    def allow() -> None:
        if request.endpoint in endpoints:
            request.max_content_length = max_bytes
            if (request.content_length or 0) > max_bytes:
                raise RequestEntityTooLarge

    return allow
