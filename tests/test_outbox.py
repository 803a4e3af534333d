"""The outbox: messages survive outages and are delivered once, through a real SMTP
server on loopback (aiosmtpd)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import select

from linli import db
from linli.app import create_app
from linli.config import Settings
from linli.outbox.delivery import deliver_pending
from linli.outbox.models import OutboxMessage
from linli.outbox.services import queue_email
from tests.conftest import Communities


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _mail_app(settings: Settings, port: int) -> Flask:
    url = f"smtp://127.0.0.1:{port}?from=noreply@linli.test"
    return create_app(settings.with_overrides(smtp_url=url))


def _messages(app: Flask) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session().scalars(select(OutboxMessage).order_by(OutboxMessage.created_at)))


def test_a_committed_message_is_sent_once(
    settings: Settings, communities: Communities, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    app = _mail_app(settings, port)
    with app.app_context(), db.database().session_scope() as session:
        queue_email(session, "lin@linli.test", "通知", "周三停水")
    assert len(inbox.messages) == 1
    assert inbox.messages[0].rcpt_tos == ["lin@linli.test"]
    assert b"Subject: =?utf-8?" in inbox.messages[0].content
    with app.app_context():
        assert deliver_pending() == {"sent": 0, "retry": 0, "failed": 0}
    assert len(inbox.messages) == 1
    [message] = _messages(app)
    assert message.sent_at is not None
    assert message.attempts == 1


def test_a_rolled_back_write_sends_nothing(
    settings: Settings, communities: Communities, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    app = _mail_app(settings, port)
    with app.app_context():
        session = db.database().sessions()
        queue_email(session, "lin@linli.test", "x", "y")
        session.rollback()
        session.close()
    assert inbox.messages == []
    assert _messages(app) == []


def test_server_down_keeps_the_message_and_retries_later(
    settings: Settings, communities: Communities, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    down = create_app(settings.with_overrides(smtp_url="smtp://127.0.0.1:1?from=a@linli.test"))
    with down.app_context(), db.database().session_scope() as session:
        queue_email(session, "zhang@linli.test", "提醒", "请回访")
    [waiting] = _messages(down)
    assert waiting.sent_at is None
    assert waiting.attempts == 1
    assert waiting.last_error
    assert waiting.next_attempt_at > waiting.created_at
    up = _mail_app(settings, port)
    with up.app_context():
        assert deliver_pending()["sent"] == 0  # not due yet: back-off is respected
        with db.database().session_scope() as session:
            session.get(OutboxMessage, waiting.id).next_attempt_at = waiting.created_at  # type: ignore[union-attr]
        assert deliver_pending() == {"sent": 1, "retry": 0, "failed": 0}
    assert [m.rcpt_tos for m in inbox.messages] == [["zhang@linli.test"]]
