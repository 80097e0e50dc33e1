"""A TLS front for the Temporal dev server, the way a secured cluster sits behind a TLS proxy.

The dev server speaks only plaintext gRPC, so ``tls_front`` terminates TLS (HTTP/2 by ALPN,
client certificates required) on a loopback port and forwards the decrypted bytes to it; it also
keeps what clients sent, and ``request_headers`` decodes their HTTP/2 headers (HPACK), so a test
can see the API key's header. ``Pki`` makes a throwaway CA, a server certificate and a client
certificate with ``cryptography``.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address
from pathlib import Path

import hpack
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

SERVER_NAME = "temporal.test"


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _write(path: Path, key: ec.EllipticCurvePrivateKey, cert: x509.Certificate) -> None:
    path.with_suffix(".key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    path.with_suffix(".pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))


@dataclass
class Pki:
    """``<dir>/ca.pem``, ``server.pem/.key`` (for ``SERVER_NAME``) and ``client.pem/.key``."""

    dir: Path

    def __post_init__(self) -> None:
        # Dates around the real clock only because TLS checks validity against it.
        self._now = datetime.now(UTC) - timedelta(minutes=5)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca = self._sign(
            _name("ccm test CA"), ca_key.public_key(), ca_key, _name("ccm test CA"), ca=True
        )
        _write(self.dir / "ca", ca_key, ca)
        for leaf in ("server", "client"):
            key = ec.generate_private_key(ec.SECP256R1())
            cert = self._sign(_name(leaf), key.public_key(), ca_key, ca.subject, ca=False)
            _write(self.dir / leaf, key, cert)

    def _sign(
        self,
        subject: x509.Name,
        public: ec.EllipticCurvePublicKey,
        signer: ec.EllipticCurvePrivateKey,
        issuer: x509.Name,
        *,
        ca: bool,
    ) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(self._now)
            .not_valid_after(self._now + timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if not ca:
            names = [x509.DNSName(SERVER_NAME), x509.IPAddress(IPv4Address("127.0.0.1"))]
            builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        return builder.sign(signer, hashes.SHA256())

    def path(self, name: str) -> str:
        return str(self.dir / name)


@dataclass
class Front:
    address: str
    received: list[bytes] = field(default_factory=list)

    def request_headers(self) -> list[tuple[str, str]]:
        """Every header clients sent, decoded from the HEADERS and CONTINUATION frames."""
        return request_headers(b"".join(self.received))


PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
HEADERS, CONTINUATION = 0x1, 0x9
PADDED, PRIORITY = 0x8, 0x20


def request_headers(stream: bytes) -> list[tuple[str, str]]:
    """The headers in one connection's client-to-server bytes (RFC 9113 frames, RFC 7541)."""
    assert stream.startswith(PREFACE), "not an HTTP/2 connection"
    decoder, found, at = hpack.Decoder(), [], len(PREFACE)
    while at + 9 <= len(stream):
        length, kind, flags = int.from_bytes(stream[at : at + 3]), stream[at + 3], stream[at + 4]
        payload, at = stream[at + 9 : at + 9 + length], at + 9 + length
        if kind not in (HEADERS, CONTINUATION):
            continue
        if kind == HEADERS and flags & PADDED:
            payload = payload[1 : len(payload) - payload[0]]
        if kind == HEADERS and flags & PRIORITY:
            payload = payload[5:]
        # gRPC clients send each header block in one frame; CONTINUATION would need joining.
        found += [(str(k), str(v)) for k, v in decoder.decode(payload)]
    return found


@contextlib.asynccontextmanager
async def tls_front(upstream: str, pki: Pki) -> AsyncIterator[Front]:
    """A TLS listener requiring a client certificate from ``pki``'s CA; forwards to ``upstream``."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=pki.path("ca.pem"))
    context.load_cert_chain(pki.path("server.pem"), pki.path("server.key"))
    context.verify_mode = ssl.CERT_REQUIRED
    context.set_alpn_protocols(["h2"])
    async with relay(upstream, context) as front:
        yield front


@contextlib.asynccontextmanager
async def relay(upstream: str, context: ssl.SSLContext | None = None) -> AsyncIterator[Front]:
    """Forwards each connection to ``upstream`` and keeps what clients sent (as received: the
    plaintext behind TLS when ``context`` terminates it, the bytes on the wire otherwise)."""
    host, port = upstream.rsplit(":", 1)
    front = Front(address="")

    async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter, keep: bool) -> None:
        with contextlib.suppress(OSError):
            while chunk := await src.read(65536):
                if keep:
                    front.received.append(chunk)
                dst.write(chunk)
                await dst.drain()
        dst.close()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(host, int(port))
        await asyncio.gather(pipe(reader, up_writer, True), pipe(up_reader, writer, False))

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=context)
    front.address = f"127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        yield front
    finally:
        server.close()
        await server.wait_closed()
