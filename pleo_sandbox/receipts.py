"""Receipt files: real PDF/JPEG bytes and presigned-style expiring download links.

Links carry their own expiry and an HMAC signature (like an S3 presigned URL), so
nothing is stored per link and a 50,000-item job costs no memory here.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from urllib.parse import quote

from .web import Response

_JPEG = (Path(__file__).parent / "static" / "receipt.jpg").read_bytes()
XML_TYPE = "application/xml"


def make_pdf(lines: list[str]) -> bytes:
    """A one-page PDF 1.4 with the given text lines and a correct xref table."""

    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = "".join(f"({esc(line)}) Tj T* " for line in lines)
    stream = f"BT /F1 11 Tf 40 560 Td 16 TL {text}ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 595] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
        b"/Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def make_jpeg(comment: str) -> bytes:
    """The bundled tiny JPEG with a COM segment, so every receipt's bytes differ."""
    data = comment.encode("utf-8")[:60000]
    segment = b"\xff\xfe" + (len(data) + 2).to_bytes(2, "big") + data
    return _JPEG[:2] + segment + _JPEG[2:]


class LinkSigner:
    def __init__(self, key: bytes):
        self.key = key

    def _sig(self, entry_id, number, expires) -> str:
        msg = f"{entry_id}/{number}/{expires}".encode()
        return hmac.new(self.key, msg, hashlib.sha256).hexdigest()[:32]

    def url(self, base_url, entry_id, number, name, expires) -> str:
        expires = int(expires)
        return (
            f"{base_url}/_files/{entry_id}/{number}/{quote(name)}"
            f"?X-Expires={expires}&X-Signature={self._sig(entry_id, number, expires)}"
        )

    def valid(self, entry_id, number, expires, signature) -> bool:
        return hmac.compare_digest(self._sig(entry_id, number, expires), signature)


def _s3_error(status, code, message) -> Response:
    body = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    return Response(status, body, content_type=XML_TYPE)


def download(state, req) -> Response:
    """GET /_files/{entryId}/{n}/{name}: no Authorization needed, like Pleo's links."""
    entry_id, number = req.params["entryId"], req.params["n"]
    try:
        expires = int(req.arg("X-Expires", ""))
    except ValueError:
        return _s3_error(403, "AccessDenied", "Missing or invalid X-Expires")
    signature = req.arg("X-Signature", "")
    if not number.isdigit() or not state.signer.valid(
        entry_id, int(number), expires, signature
    ):
        return _s3_error(403, "SignatureDoesNotMatch", "Signature does not match")
    if state.clock.now() > expires:
        return _s3_error(403, "AccessDenied", "Request has expired")
    found = state.exports.entry_file(entry_id, int(number))
    if found is None:
        return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
    name, mime, data = found
    headers = {"Content-Disposition": f'inline; filename="{name}"'}
    return Response(200, data, headers=headers, content_type=mime)


ROUTES = [("GET", "/_files/{entryId}/{n}/{name}", download)]
