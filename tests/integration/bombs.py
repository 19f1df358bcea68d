"""Hostile messages ("mail bombs") for the integration tests, written straight to a file.

Every bomb is a whole RFC 5322 message with CRLF line ends, from BOMB_SENDER to the
secretariat, with its own Message-ID. The big ones are written in pieces, so that making a
70 MB message never holds 70 MB: write(kind, path, message_id) streams the message to PATH
and returns its size in bytes. KINDS lists every kind that write() knows.
"""

import base64
import hashlib
import os
import struct

SECRETARIAT = "tsbfgqit4n@itu.test"
BOMB_SENDER = "dave@member.test"

# A small attachment that every contribution-shaped bomb carries, so that a daemon that
# took the bomb for an ordinary message would register it (SPEC step 2).
ATTACHMENT = b"%PDF-1.4\n% contribution carried by a hostile message\n" + bytes(range(256)) * 4
ATTACHMENT_NAME = "carried.pdf"
ATTACHMENT_SHA256 = hashlib.sha256(ATTACHMENT).hexdigest()

CHUNK = 1 << 20  # bytes written at a time

MB = 1000 * 1000


def _header(message_id, subject="Hostile message", extra=b"", content_type=None):
    lines = [
        f"From: Dave Example <{BOMB_SENDER}>",
        f"To: {SECRETARIAT}",
        f"Subject: {subject}",
        f"Message-ID: {message_id}",
        "Date: Mon, 20 Jul 2020 08:00:00 +0000",
        "MIME-Version: 1.0",
    ]
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    return ("\r\n".join(lines) + "\r\n").encode() + extra


def _b64_lines(data, width=76):
    encoded = base64.b64encode(data)
    return b"".join(encoded[i:i + width] + b"\r\n" for i in range(0, len(encoded), width))


def _text_part(boundary, text="Please find our contribution attached."):
    return (f"--{boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n{text}\r\n"
            .encode())


def _attachment_part(boundary, name=ATTACHMENT_NAME, data=ATTACHMENT, disposition=None):
    disposition = disposition or f'attachment; filename="{name}"'.encode()
    return (f"--{boundary}\r\nContent-Type: application/pdf\r\n".encode()
            + b"Content-Disposition: " + disposition + b"\r\n"
            + b"Content-Transfer-Encoding: base64\r\n\r\n" + _b64_lines(data))


def _repeat(out, piece, count):
    """Writes PIECE COUNT times, a block of about CHUNK bytes at a time."""
    per_block = max(1, CHUNK // len(piece))
    block = piece * per_block
    full, rest = divmod(count, per_block)
    for _ in range(full):
        out.write(block)
    out.write(piece * rest)


def _base64_stream(out, raw_bytes, per_line=None):
    """Writes the base64 of RAW_BYTES deterministic pseudo-random bytes: PER_LINE characters
    per line (CRLF after each), or one endless line when PER_LINE is None (no CRLF at all)."""
    seed = hashlib.sha256(b"hostile").digest()
    block = (seed * (3 * CHUNK // 4 // len(seed) + 1))[:3 * (CHUNK // 4)]  # a multiple of 3
    left = raw_bytes
    while left > 0:
        raw = block[:min(left, len(block))]  # whole groups of 3 but for the last piece
        encoded = base64.b64encode(raw)
        left -= len(raw)
        if per_line is None:
            out.write(encoded)
        elif per_line == 1:
            spaced = bytearray(3 * len(encoded))
            spaced[0::3] = encoded
            spaced[1::3] = b"\r" * len(encoded)
            spaced[2::3] = b"\n" * len(encoded)
            out.write(spaced)
        else:
            out.write(b"".join(encoded[i:i + per_line] + b"\r\n"
                               for i in range(0, len(encoded), per_line)))


# --- the bombs -------------------------------------------------------------------------------

def subject_bomb(out, message_id):
    """200 KB of RFC 2047 encoded-word openings ("=?x?Q?a", never closed) in the Subject, one
    per folded line: a decoder that looks for the end of each word from each start is
    quadratic. 29,000 header lines: over the header limits."""
    fragments = 200 * 1024 // len(b"=?x?Q?a")
    subject = b"=?x?Q?a" + b"\r\n =?x?Q?a" * (fragments - 1)
    head = _header(message_id, subject="PLACEHOLDER",
                   content_type='multipart/mixed; boundary="b"')
    out.write(head.replace(b"PLACEHOLDER", subject) + b"\r\n")
    out.write(_text_part("b") + _attachment_part("b") + b"--b--\r\n")


def filename_bomb(out, message_id):
    """An attachment whose filename= parameter is 8 MB of encoded-word fragments, folded in
    lines of ten: over the header limits (one field of 8 MB)."""
    out.write(_header(message_id, content_type='multipart/mixed; boundary="b"') + b"\r\n")
    out.write(_text_part("b"))
    out.write(b'--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment;'
              b'\r\n filename="=?utf-8?Q?a')
    line = b"\r\n " + b"=?x?Q?a" * 10
    _repeat(out, line, 8 * MB // len(line))
    out.write(b'.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n' + _b64_lines(ATTACHMENT))
    out.write(b"--b--\r\n")


def empty_parts_bomb(out, message_id):
    """One real attachment, then 1,000,000 empty MIME parts: over limits.max_parts."""
    out.write(_header(message_id, content_type='multipart/mixed; boundary="b"') + b"\r\n")
    out.write(_text_part("b") + _attachment_part("b"))
    _repeat(out, b"--b\r\n\r\n", 1_000_000)
    out.write(b"--b--\r\n")


def nesting_bomb(out, message_id, levels=50_000):
    """50,000 multiparts nested in each other, the attachment in the innermost one: over
    limits.max_depth."""
    out.write(_header(message_id, content_type='multipart/mixed; boundary="n0"') + b"\r\n")
    pending = bytearray()
    for level in range(1, levels):
        pending += (f"--n{level - 1}\r\nContent-Type: multipart/mixed; boundary=\"n{level}\""
                    "\r\n\r\n").encode()
        if len(pending) > CHUNK:
            out.write(pending)
            pending.clear()
    out.write(bytes(pending))
    out.write(_attachment_part(f"n{levels - 1}"))
    pending.clear()
    for level in range(levels - 1, -1, -1):
        pending += f"--n{level}--\r\n".encode()
        if len(pending) > CHUNK:
            out.write(pending)
            pending.clear()
    out.write(bytes(pending))


def address_bomb(out, message_id):
    """A To: field of 200,000 folded lines, one address each: over the header limits."""
    head = _header(message_id, content_type='multipart/mixed; boundary="b"')
    head = head.replace(f"To: {SECRETARIAT}\r\n".encode(), b"")
    out.write(head)
    out.write(f"To: {SECRETARIAT}".encode())
    pending = bytearray()
    for index in range(200_000):
        pending += f",\r\n a{index:06d}@member.test".encode()
        if len(pending) > CHUNK:
            out.write(pending)
            pending.clear()
    out.write(bytes(pending) + b"\r\n\r\n")
    out.write(_text_part("b") + _attachment_part("b") + b"--b--\r\n")


def header_field_bomb(out, message_id):
    """One header field of 40 MB (X-Filler:, folded at 998 characters as RFC 5322 allows for
    a line): over the header limits."""
    out.write(_header(message_id, content_type='multipart/mixed; boundary="b"'))
    out.write(b"X-Filler: " + b"x" * 988)
    line = b"\r\n " + b"x" * 997
    _repeat(out, line, 40 * MB // len(line))
    out.write(b"\r\n\r\n" + _text_part("b") + _attachment_part("b") + b"--b--\r\n")


def _tnef_attribute(level, attribute_id, data):
    checksum = sum(data) & 0xFFFF
    return struct.pack("<BII", level, attribute_id, len(data)) + data + struct.pack("<H", checksum)


def tnef_stream(files):
    """A minimal TNEF stream as Outlook writes it (signature, key, version, code page, then
    for each file its rendering data, title and bytes), for FILES = [(name, bytes)]."""
    out = bytearray(struct.pack("<IH", 0x223E9F78, 1))
    out += _tnef_attribute(1, 0x00089006, struct.pack("<I", 0x00010000))
    out += _tnef_attribute(1, 0x00069007, struct.pack("<II", 1252, 0))
    rendering = _tnef_attribute(2, 0x00069002, struct.pack("<HIII", 1, 0xFFFFFFFF, 0, 0))
    for name, data in files:
        out += rendering
        out += _tnef_attribute(2, 0x00018010, name.encode() + b"\0")
        out += _tnef_attribute(2, 0x0006800F, data)
    return bytes(out)


def tnef_bomb(out, message_id):
    """A winmail.dat (application/ms-tnef) holding 100,000 files of one byte each: 6 MB of
    TNEF, over limits.max_parts (inner files count as parts)."""
    tnef = tnef_stream((f"f{index:06d}.txt", b"x") for index in range(100_000))
    out.write(_header(message_id, content_type='multipart/mixed; boundary="b"') + b"\r\n")
    out.write(_text_part("b"))
    out.write(b'--b\r\nContent-Type: application/ms-tnef; name="winmail.dat"\r\n'
              b'Content-Disposition: attachment; filename="winmail.dat"\r\n'
              b"Content-Transfer-Encoding: base64\r\n\r\n")
    out.write(_b64_lines(tnef))
    out.write(b"--b--\r\n")


def attachments_bomb(out, message_id):
    """5,000 small attachments, each a part of its own: over limits.max_parts."""
    out.write(_header(message_id, content_type='multipart/mixed; boundary="b"') + b"\r\n")
    out.write(_text_part("b"))
    small = _b64_lines(b"%PDF-1.4\n")
    for index in range(5_000):
        out.write(f'--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; '
                  f'filename="part{index:04d}.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
                  .encode() + small)
    out.write(b"--b--\r\n")


def base64_column_bomb(out, message_id):
    """An attachment of 60 MB of base64 with one character per line (20 million lines; 15 MB
    once decoded)."""
    out.write(_header(message_id, content_type='multipart/mixed; boundary="b"') + b"\r\n")
    out.write(_text_part("b"))
    out.write(b'--b\r\nContent-Type: application/pdf\r\n'
              b'Content-Disposition: attachment; filename="column.pdf"\r\n'
              b"Content-Transfer-Encoding: base64\r\n\r\n")
    _base64_stream(out, 60 * MB // 3 // 4 * 3, per_line=1)
    out.write(b"--b--\r\n")


def long_line_bomb(out, message_id):
    """An attachment whose base64 is one line of 70 MB without a break (52.5 MB decoded)."""
    out.write(_header(message_id, content_type='multipart/mixed; boundary="b"') + b"\r\n")
    out.write(_text_part("b"))
    out.write(b'--b\r\nContent-Type: application/pdf\r\n'
              b'Content-Disposition: attachment; filename="line.pdf"\r\n'
              b"Content-Transfer-Encoding: base64\r\n\r\n")
    _base64_stream(out, 70 * MB // 4 * 3, per_line=None)
    out.write(b"\r\n--b--\r\n")


def oversize_bomb(out, message_id):
    """An ordinary-looking contribution of 25 MB (a 18.7 MB attachment in base64 lines of 76
    characters): over a max_message_bytes of 20 MiB."""
    out.write(_header(message_id, content_type='multipart/mixed; boundary="b"') + b"\r\n")
    out.write(_text_part("b"))
    out.write(b'--b\r\nContent-Type: application/pdf\r\n'
              b'Content-Disposition: attachment; filename="big.pdf"\r\n'
              b"Content-Transfer-Encoding: base64\r\n\r\n")
    _base64_stream(out, 25 * MB * 57 // 78, per_line=76)
    out.write(b"--b--\r\n")


def truncated_bomb(out, message_id):
    """A multipart that ends in the middle of its third part, without a closing delimiter:
    the text, then the intact attachment (ATTACHMENT), then a text part cut mid-sentence."""
    out.write(_header(message_id, content_type='multipart/mixed; boundary="b"') + b"\r\n")
    out.write(_text_part("b") + _attachment_part("b"))
    out.write(b"--b\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nThis part is cut o")


KINDS = {
    "subject_rfc2047": subject_bomb,
    "filename_rfc2047": filename_bomb,
    "empty_parts": empty_parts_bomb,
    "deep_nesting": nesting_bomb,
    "address_lines": address_bomb,
    "header_40mb": header_field_bomb,
    "tnef_100k_files": tnef_bomb,
    "attachments_5000": attachments_bomb,
    "base64_column_60mb": base64_column_bomb,
    "line_70mb": long_line_bomb,
    "over_max_message_bytes": oversize_bomb,
    "truncated_multipart": truncated_bomb,
}


def write(kind, path, message_id):
    """Writes bomb KIND to PATH; returns its size in bytes."""
    with open(path, "wb", buffering=CHUNK) as out:
        KINDS[kind](out, message_id)
    return os.path.getsize(path)
