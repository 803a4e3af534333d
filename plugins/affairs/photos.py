"""Photos of a matter: as reported, of the work, of the result. The bytes go to the
core's file storage (sniffed: JPEG or PNG only); the rows keep what a list shows."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from linli import storage
from linli.api.problems import Problem, invalid, not_found
from linli.db import utcnow
from plugins.affairs.models import Matter, Photo

MODULE = "affairs"
PHOTO_BYTES = 5 * 1024 * 1024
#: the body limit of the routes that take photos: the largest batch and the form
UPLOAD_BYTES = 9 * PHOTO_BYTES + 64 * 1024
MAX_PER_MATTER = 30


def add(
    session: Session,
    matter: Matter,
    files: Sequence[FileStorage],
    limit: int,
    location: str,
    *,
    required: bool = False,
) -> list[Photo]:
    """Keep up to ``limit`` photos (JPEG or PNG, 5 MB each) with the matter."""
    if required and not files:
        raise invalid(location, "photos", _l("Add at least one photo."))
    if len(files) > limit:
        raise invalid(location, "photos", _l("Too many photos."))
    count = session.scalar(select(func.count()).where(Photo.matter_id == matter.id)) or 0
    if count + len(files) > MAX_PER_MATTER:
        raise Problem(409, "too_many_photos", _l("No more photos can be added to this matter."))
    contents = [upload.read(PHOTO_BYTES + 1) for upload in files]
    if any(
        len(content) > PHOTO_BYTES or storage.sniff(content[:16]) not in storage.IMAGES
        for content in contents
    ):
        raise invalid(location, "photos", _l("Each photo must be a JPEG or PNG of at most 5 MB."))
    added = []
    for content in contents:
        stored = storage.store(MODULE, content)
        assert stored is not None  # sniffed above
        photo = Photo(
            id=stored.id,
            matter_id=matter.id,
            stage=matter.stage,
            content_type=stored.content_type,
            size=stored.size,
            taken_at=utcnow(),
        )
        session.add(photo)
        added.append(photo)
    session.flush()
    return added


def listed(session: Session, matter: Matter) -> list[Photo]:
    query = select(Photo).where(Photo.matter_id == matter.id).order_by(Photo.taken_at, Photo.id)
    return list(session.scalars(query))


def file_of(session: Session, matter: Matter, photo_id: uuid.UUID) -> tuple[Photo, Path]:
    photo = session.scalars(
        select(Photo).where(Photo.id == photo_id, Photo.matter_id == matter.id)
    ).one_or_none()
    if photo is None:
        raise not_found()
    return photo, storage.path_of(MODULE, photo.id, photo.content_type)
