"""Pluggable senders, one per channel: email over SMTP; SMS and WeChat as interfaces a
deployment implements for its provider (no provider is assumed here).

A sender raises :class:`TransientSendError` when trying again later may work (server
down, rate limited) and :class:`PermanentSendError` when it cannot (bad address).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import structlog

from linli.outbox.models import OutboxMessage

log = structlog.get_logger(__name__)


class TransientSendError(Exception):
    """Sending failed this time; the outbox tries again later."""


class PermanentSendError(Exception):
    """Sending can never succeed; the message is marked failed."""


class Sender(Protocol):
    def send(self, message: OutboxMessage) -> None:
        """Deliver one message or raise one of the two errors above."""


class SmsSender(Sender, Protocol):
    """Implemented per SMS provider (its API, sign and template ids)."""


class WeChatSender(Sender, Protocol):
    """Implemented per WeChat official-account or WeCom integration."""


@dataclass(frozen=True)
class SmtpSender:
    """Email through an SMTP server: ``smtp://user:pass@host:587?starttls=1&from=a@b``
    (or ``smtps://`` for implicit TLS)."""

    host: str
    port: int
    username: str | None
    password: str | None
    sender: str
    starttls: bool
    implicit_tls: bool
    timeout: float = 10.0

    @classmethod
    def from_url(cls, url: str) -> SmtpSender:
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        implicit = parts.scheme == "smtps"
        return cls(
            host=parts.hostname or "localhost",
            port=parts.port or (465 if implicit else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            sender=query.get("from", ["noreply@localhost"])[0],
            starttls=query.get("starttls", ["0"])[0] in ("1", "true"),
            implicit_tls=implicit,
        )

    def _connect(self) -> smtplib.SMTP:
        if self.implicit_tls:
            context = ssl.create_default_context()
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)

    def send(self, message: OutboxMessage) -> None:
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = message.recipient
        email["Subject"] = message.subject
        email["Message-ID"] = f"<{message.id}@linli>"
        email.set_content(message.body)
        try:
            with self._connect() as client:
                if self.starttls:
                    client.starttls(context=ssl.create_default_context())
                if self.username:
                    client.login(self.username, self.password or "")
                client.send_message(email)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentSendError(f"recipient refused: {exc.recipients}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise TransientSendError(f"{type(exc).__name__}: {exc}") from exc


class LogSender:
    """Development: write that a message would be sent (not its body) to the log."""

    def send(self, message: OutboxMessage) -> None:
        log.info(
            "outbox message (not sent: no sender configured)",
            channel=message.channel,
            subject=message.subject,
            message=str(message.id),
        )
