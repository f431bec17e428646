"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""
from __future__ import annotations

import email
import re
import socket
import time
from email.message import Message

from aiosmtpd.controller import Controller


class _Inbox:
    def __init__(self):
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


class MailServer:
    """Start with `with MailServer() as server:`; `server.port`, `server.messages`, `server.link_in(...)`."""

    def __init__(self):
        self.inbox = _Inbox()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        if self.controller is not None:
            self.controller.stop()

    def stop(self) -> None:
        """Stop answering, as a mail server that is down: connections to the port are refused."""
        self.controller.stop()
        self.controller = None

    def start(self) -> None:
        """Answer again on the same port, keeping what was received before."""
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    @property
    def messages(self) -> list[Message]:
        return self.inbox.messages

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Message]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages

    @staticmethod
    def body(message: Message) -> str:
        return message.get_payload(decode=True).decode("utf-8")

    def link_in(self, message: Message, path: str) -> str:
        """The path and token of the first link in a message that contains `path`."""
        match = re.search(r"https?://[^/\s]+(" + re.escape(path) + r"[^\s]+)", self.body(message))
        assert match, f"no {path} link in: {self.body(message)}"
        return match.group(1)
