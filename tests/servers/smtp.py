"""A local SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message it receives."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from servers.certificates import Certificate
from servers.processes import free_port


@dataclass
class Mailbox:
    user: str
    password: str
    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(),
            auth_data.password.decode(),
        ) == (self.user, self.password)
        return AuthResult(success=ok)


@contextmanager
def smtp_server(
    user: str, password: str, *, security: str = "none", certificate: Certificate | None = None
) -> Iterator[tuple[int, Mailbox]]:
    """(port, mailbox) of a server that accepts a login of `user`/`password`: in plain text
    (`none`), only after STARTTLS (`starttls`), or over TLS from the first byte (`ssl`),
    with `certificate`."""
    mailbox = Mailbox(user, password)
    tls = None
    if certificate is not None:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(certificate.cert, certificate.key)
    options = {
        "none": {"auth_require_tls": False},
        "starttls": {"tls_context": tls, "require_starttls": True, "auth_require_tls": True},
        # TLS from the first byte; aiosmtpd cannot tell, so AUTH must not wait for STARTTLS
        "ssl": {"ssl_context": tls, "auth_require_tls": False},
    }[security]
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=mailbox.authenticate,
        **options,
    )
    controller.start()
    try:
        yield controller.port, mailbox
    finally:
        controller.stop()
