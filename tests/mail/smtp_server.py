"""A real SMTP server for the tests: aiosmtpd on loopback with STARTTLS (a self-signed
certificate made here) and AUTH, counting the connections it accepts."""
from __future__ import annotations

import datetime
import ipaddress
import ssl
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

USER, PASSWORD = "mailer", "s3cret-mail-pass"


def make_certificate(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class Recorder:
    messages: list[Received] = field(default_factory=list)
    peers: set = field(default_factory=set)   # (address, port) of each TCP connection

    @property
    def connections(self) -> int:
        return len(self.peers)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = (envelope.original_content or envelope.content).replace(b"\r\n", b"\n")
        parsed = message_from_bytes(raw, policy=policy.default)
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 OK"


class SMTPServer:
    def __init__(self, folder: Path, *, implicit_tls: bool = False) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import SMTP, AuthResult

        self.cert, key = make_certificate(folder)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, key)
        self.recorder = recorder = Recorder()

        def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
            good = getattr(auth_data, "login", None) == USER.encode() and \
                getattr(auth_data, "password", None) == PASSWORD.encode()
            if good:
                recorder.logins.append(mechanism)
            return AuthResult(success=good, handled=False)

        class Counting(SMTP):
            def connection_made(self, transport: Any) -> None:
                recorder.peers.add(transport.get_extra_info("peername"))   # STARTTLS keeps the peer
                super().connection_made(transport)

        options = dict(authenticator=authenticator, auth_require_tls=True)

        class Control(Controller):
            def factory(self) -> Any:
                if implicit_tls:   # the whole connection is TLS
                    return Counting(self.handler, authenticator=authenticator, auth_require_tls=False)
                return Counting(self.handler, tls_context=context, require_starttls=True, **options)

        import socket
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            free = probe.getsockname()[1]
        self.port = free
        self.controller = Control(recorder, hostname="127.0.0.1", port=free,
                                  ssl_context=context if implicit_tls else None)
        self.implicit_tls = implicit_tls

    def start(self) -> "SMTPServer":
        self.controller.start()
        self.recorder.peers.clear()   # the controller's own start-up probe
        return self

    def stop(self) -> None:
        self.controller.stop()

    def url(self, user: str = USER, password: str = PASSWORD) -> str:
        scheme = "smtps" if self.implicit_tls else "smtp"
        return f"{scheme}://{user}:{password}@127.0.0.1:{self.port}"
