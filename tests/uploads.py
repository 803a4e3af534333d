"""Spreadsheets built in memory and posted as the multipart uploads imports take."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import openpyxl
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.conftest import auth


def xlsx(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client: FlaskClient, url: str, data: bytes, name: str, who: str) -> Any:
    # Encoded in memory: the test client would spool a large body to a temporary file
    # that nobody closes when the server (rightly) refuses to read it.
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), filename=name)})
    return client.post(
        url,
        headers=auth(who),
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
