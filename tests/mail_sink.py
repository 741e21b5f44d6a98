"""A real SMTP server on loopback (aiosmtpd) that keeps every message it receives, for tests."""

from __future__ import annotations

import re
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

LINK_RE = re.compile(r"https?://[^\s<>\"']+")


class _Collector:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailSink:
    """Start with `start()`; read what arrived with `messages`, `to(address)` and `links(message)`."""

    def __init__(self) -> None:
        self.port = _free_port()
        self._collector = _Collector()
        self._controller = Controller(self._collector, hostname="127.0.0.1", port=self.port)

    def start(self) -> MailSink:
        """Listen on 127.0.0.1:`port`."""
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop listening."""
        self._controller.stop()

    def clear(self) -> None:
        """Forget every message received so far."""
        with self._collector.lock:
            self._collector.messages.clear()

    @property
    def messages(self) -> list[EmailMessage]:
        """Every message received since the last `clear()`, oldest first."""
        with self._collector.lock:
            return list(self._collector.messages)

    def to(self, address: str) -> list[EmailMessage]:
        """The messages sent to `address`."""
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    @staticmethod
    def text(message: EmailMessage) -> str:
        """The plain-text part."""
        return message.get_body(preferencelist=("plain",)).get_content()

    @staticmethod
    def html(message: EmailMessage) -> str:
        """The HTML part."""
        return message.get_body(preferencelist=("html",)).get_content()

    @classmethod
    def links(cls, message: EmailMessage) -> list[str]:
        """The URLs in the plain-text part, in order."""
        return LINK_RE.findall(cls.text(message))
