"""Finding full ID numbers and mobile phone numbers where only masked ones may appear.

Used by ``tests/conftest.py`` to scan every log record the test run emits (through a
log-record factory, so no handler set-up of the app can bypass it: ``create_app``
replaces the root logger's handlers) and by ``tests/test_personal_data.py`` on API
answers and exports.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from linli.residents.identity_numbers import resident_card_problem

#: 18 characters or 11 digits standing alone (not inside a longer run of letters and
#: digits, such as a hex request id): candidates, confirmed below.
_ID_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")


def unmasked(text: str) -> list[str]:
    """Full resident ID numbers (valid check digit and birth date) and mobile numbers."""
    ids = [m for m in _ID_CANDIDATE.findall(text) if resident_card_problem(m.upper()) is None]
    return ids + _MOBILE.findall(text)


class LogScan:
    """Counts log records and keeps the ones that show personal data in full."""

    def __init__(self) -> None:
        self.records = 0
        self.findings: list[str] = []
        self._previous: Callable[..., logging.LogRecord] | None = None

    def install(self) -> None:
        self._previous = logging.getLogRecordFactory()
        logging.setLogRecordFactory(self._make)

    def _make(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        assert self._previous is not None
        record = self._previous(*args, **kwargs)
        self.check(record)
        return record

    def check(self, record: logging.LogRecord) -> None:
        """Count ``record``; keep it when its message or arguments show personal data
        (structlog's records carry the whole event dictionary as their message)."""
        self.records += 1
        try:
            text = f"{record.msg} {record.args!r}"
        except Exception:  # a message object whose str() fails is no personal data
            return
        found = unmasked(text)
        if found:
            self.findings.append(f"{record.name}: {sorted(set(found))} in {text[:300]}")
