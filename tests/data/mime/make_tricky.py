#!/usr/bin/env python3
"""Writes the tricky test messages of tests/data/mime: one hard MIME case per file.

Run from anywhere: python3 tests/data/mime/make_tricky.py. The output is deterministic
(fixed bytes, no dates or random boundaries), so re-running it changes nothing.
"""
import base64
import pathlib
import struct
import urllib.parse

HERE = pathlib.Path(__file__).resolve().parent
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n" + bytes(range(256)) * 3
BIN = bytes(range(256)) * 2 + b"\x00\xff\x00"
DOCX = b"PK\x03\x04" + bytes(range(200)) + b"word/document.xml"

HEAD = ("From: Alice Participant <alice@member.test>\n"
        "To: tsbfgqit4n@itu.int\n"
        "Date: Mon, 20 Jul 2020 08:00:00 +0000\n"
        "Message-ID: <{name}@member.test>\n"
        "Subject: {subject}\n"
        "MIME-Version: 1.0\n")
TEXT_PART = "Content-Type: text/plain; charset=utf-8\n\nPlease find my contribution attached.\n"

CASES = {}


def case(function):
    CASES[function.__name__] = function
    return function


def b64(data, width=76):
    text = base64.b64encode(data).decode()
    return "\n".join(text[i:i + width] for i in range(0, len(text), width)) + "\n"


def head(name, subject="Contribution"):
    return HEAD.format(name=name, subject=subject)


def mixed(name, parts, subject="Contribution", boundary="XyZ", extra=""):
    """A multipart/mixed message: a text body, then `parts` (header text + body text)."""
    out = head(name, subject) + extra
    out += 'Content-Type: multipart/mixed; boundary="%s"\n\nThis is MIME.\n' % boundary
    for part in [TEXT_PART] + parts:
        out += "--%s\n%s\n" % (boundary, part)
    return out + "--%s--\n" % boundary


def attachment(headers, data=PDF, encoding="base64"):
    body = b64(data) if encoding == "base64" else data.decode("latin-1")
    return "%sContent-Transfer-Encoding: %s\n\n%s" % (headers, encoding, body)


def pdf(disposition_params, type_params=""):
    return attachment("Content-Type: application/pdf%s\nContent-Disposition: attachment%s\n"
                      % (type_params, disposition_params))


def ascii_bytes(text):
    return text.encode("latin-1")


# --- Names: RFC 2231 -------------------------------------------------------------------

@case
def m01_rfc2231_utf8(n):
    return mixed(n, [pdf("; filename*=UTF-8''%s" % urllib.parse.quote("Contribution été ☃.pdf"))])


@case
def m02_rfc2231_latin1_language(n):
    return mixed(n, [pdf("; filename*=iso-8859-1'fr'%E9t%E9%202020.pdf")])


@case
def m03_rfc2231_three_encoded_sections(n):
    quoted = urllib.parse.quote("Вклад группы по квантовым сетям.pdf")
    thirds = [quoted[:40], quoted[40:80], quoted[80:]]
    return mixed(n, [pdf(";\n filename*0*=utf-8''%s;\n filename*1*=%s;\n filename*2*=%s"
                         % tuple(thirds))])


@case
def m04_rfc2231_mixed_plain_and_encoded_sections(n):
    return mixed(n, [pdf(";\n filename*0*=utf-8''%C3%A9tude;\n filename*1=\" of QKD\";\n"
                         " filename*2*=%20%E2%80%93%20v2.pdf")])


@case
def m05_rfc2231_missing_section(n):
    return mixed(n, [pdf('; filename*0="part-zero-"; filename*2="part-two.pdf"')])


@case
def m06_rfc2231_koi8r(n):
    quoted = urllib.parse.quote("Отчёт.doc".encode("koi8-r"))
    return mixed(n, [attachment("Content-Type: application/msword\n"
                                "Content-Disposition: attachment; filename*=koi8-r''%s\n"
                                % quoted)])


@case
def m07_rfc2231_shift_jis(n):
    quoted = urllib.parse.quote("資料.pdf".encode("shift_jis"))
    return mixed(n, [pdf("; filename*=shift_jis''%s" % quoted)])


@case
def m08_rfc2231_split_multibyte(n):
    return mixed(n, [pdf(";\n filename*0*=utf-8''caf%C3;\n filename*1*=%A9.pdf")])


@case
def m09_rfc2231_no_charset(n):
    return mixed(n, [pdf("; filename*=''plain%20name.pdf")])


@case
def m10_rfc2231_long_twenty_sections(n):
    name = "".join("section%02d-" % i for i in range(20)) + "end.pdf"
    pieces = [name[i:i + 12] for i in range(0, len(name), 12)]
    params = "".join(';\n filename*%d="%s"' % (i, p) for i, p in enumerate(pieces))
    return mixed(n, [pdf(params)])


# --- Names: RFC 2047 and raw bytes -------------------------------------------------------

def encoded_word(text, charset="utf-8", kind="B"):
    data = text.encode(charset)
    if kind == "B":
        return "=?%s?B?%s?=" % (charset, base64.b64encode(data).decode())
    quoted = "".join(chr(c) if chr(c).isalnum() or chr(c) in ".-" else "=%02X" % c for c in data)
    return "=?%s?Q?%s?=" % (charset, quoted)


@case
def m11_rfc2047_b_in_quoted_filename(n):
    return mixed(n, [pdf('; filename="%s"' % encoded_word("Предложение.pdf"))])


@case
def m12_rfc2047_q_windows1252_euro(n):
    return mixed(n, [pdf('; filename="%s"' % encoded_word("Budget €.pdf", "windows-1252", "Q"))])


@case
def m13_rfc2047_two_words_split_multibyte(n):
    data = "日本語.pdf".encode("utf-8")
    first = base64.b64encode(data[:4]).decode()
    second = base64.b64encode(data[4:]).decode()
    return mixed(n, [pdf('; filename="=?utf-8?B?%s?=\n =?utf-8?B?%s?="' % (first, second))])


@case
def m14_rfc2047_gb2312(n):
    return mixed(n, [pdf('; filename="%s"' % encoded_word("量子网络.pdf", "gb2312"))])


@case
def m15_rfc2047_big5(n):
    return mixed(n, [pdf('; filename="%s"' % encoded_word("量子網路.pdf", "big5"))])


@case
def m16_rfc2047_iso2022jp(n):
    return mixed(n, [pdf('; filename="%s"' % encoded_word("量子通信.pdf", "iso-2022-jp"))])


@case
def m17_rfc2047_euc_kr(n):
    return mixed(n, [pdf('; filename="%s"' % encoded_word("양자.pdf", "euc-kr"))])


@case
def m18_rfc2047_gb18030(n):
    return mixed(n, [pdf('; filename="%s"' % encoded_word("量子𠀀.pdf", "gb18030"))])


@case
def m19_rfc2047_unknown_charset(n):
    return mixed(n, [pdf('; filename="=?x-martian?Q?caf=E9.pdf?="')])


@case
def m20_rfc2047_bad_base64(n):
    return mixed(n, [pdf('; filename="=?utf-8?B?cmVwb3J0*LnBkZg==?="')])


@case
def m21_raw_latin1_filename(n):
    return mixed(n, [pdf('; filename="r\xe9sum\xe9.pdf"')])


@case
def m22_raw_utf8_subject_and_name(n):
    return mixed(n, [pdf('; filename="Übersicht März.pdf"')], subject="Beitrag für März")


@case
def m23_subject_adjacent_words(n):
    subject = "%s\n %s" % (encoded_word("Quantum ", "utf-8", "Q"), encoded_word("Schlüssel"))
    return mixed(n, [pdf('; filename="a.pdf"')], subject=subject)


@case
def m24_subject_words_and_text(n):
    subject = "Re: %s contribution %s" % (encoded_word("Ελληνικά"), encoded_word("Доклад 5", "koi8-r"))
    return mixed(n, [pdf('; filename="a.pdf"')], subject=subject)


@case
def m25_decomposed_name_nfc(n):
    return mixed(n, [pdf("; filename*=utf-8''e%CC%81tude.pdf")])


@case
def m26_content_type_name_only(n):
    return mixed(n, [attachment('Content-Type: application/pdf; name="only-name.pdf"\n')])


@case
def m27_filename_beats_name(n):
    return mixed(n, [pdf('; filename="disposition.pdf"', '; name="type.pdf"')])


@case
def m28_windows_path_unquoted(n):
    return mixed(n, [pdf("; filename=C:\\Documents\\QIT4N\\input.pdf")])


@case
def m29_empty_filename(n):
    return mixed(n, [pdf('; filename=""')])


@case
def m30_outlook_two_words_in_quotes(n):
    return mixed(n, [attachment('Content-Type: application/vnd.openxmlformats-officedocument'
                                '.wordprocessingml.document;\n name="%s %s"\n'
                                % (encoded_word("Contribución "), encoded_word("técnica.docx")),
                                DOCX)])


# --- Which parts are files ---------------------------------------------------------------

@case
def m31_nameless_non_text_leaves(n):
    return mixed(n, [attachment("Content-Type: application/pdf\n"),
                     attachment("Content-Type: application/x-custom\n", BIN)])


@case
def m32_nameless_text_attachment_not_a_file(n):
    return mixed(n, [attachment("Content-Type: text/csv\nContent-Disposition: attachment\n",
                                b"a,b\n1,2\n", "7bit")])


@case
def m33_alternative_only(n):
    return (head(n) + 'Content-Type: multipart/alternative; boundary="alt"\n\n'
            "--alt\nContent-Type: text/plain\n\nhello\n"
            "--alt\nContent-Type: text/html\n\n<p>hello</p>\n--alt--\n")


@case
def m34_related_cid_and_unreferenced(n):
    return (head(n) + 'Content-Type: multipart/related; boundary="rel"\n\n'
            '--rel\nContent-Type: text/html\n\n<p><img src="cid:logo.1@member.test"></p>\n'
            "--rel\n" + attachment('Content-Type: image/png; name="logo.png"\n'
                                   "Content-ID: <logo.1@member.test>\n", BIN) +
            "--rel\n" + attachment('Content-Type: application/pdf; name="annex.pdf"\n'
                                   "Content-ID: <annex@member.test>\n") + "--rel--\n")


@case
def m35_related_inside_alternative(n):
    return (head(n) + 'Content-Type: multipart/alternative; boundary="alt"\n\n'
            "--alt\nContent-Type: text/plain\n\nsee logo\n"
            '--alt\nContent-Type: multipart/related; boundary="rel"\n\n'
            '--rel\nContent-Type: text/html\n\n<img src="CID:Sig@Member.Test">\n'
            "--rel\n" + attachment('Content-Type: image/gif; name="sig.gif"\n'
                                   "Content-ID: <sig@member.test>\n", BIN) +
            "--rel--\n--alt--\n")


@case
def m36_smime_signed(n):
    inner = ('Content-Type: multipart/mixed; boundary="in"\n\n--in\n' + TEXT_PART +
             "--in\n" + pdf('; filename="signed.pdf"') + "--in--\n")
    return (head(n) + 'Content-Type: multipart/signed; protocol="application/pkcs7-signature";'
            ' micalg=sha-256; boundary="sig"\n\n--sig\n' + inner + "\n--sig\n" +
            attachment('Content-Type: application/pkcs7-signature; name="smime.p7s"\n'
                       'Content-Disposition: attachment; filename="smime.p7s"\n', BIN) +
            "--sig--\n")


@case
def m37_pgp_signed(n):
    inner = ('Content-Type: multipart/mixed; boundary="in"\n\n--in\n' + TEXT_PART +
             "--in\n" + pdf('; filename="pgp-signed.pdf"') + "--in--\n")
    return (head(n) + 'Content-Type: multipart/signed; protocol="application/pgp-signature";'
            ' micalg=pgp-sha256; boundary="sig"\n\n--sig\n' + inner + "\n--sig\n"
            'Content-Type: application/pgp-signature; name="signature.asc"\n\n'
            "-----BEGIN PGP SIGNATURE-----\niQEz\n-----END PGP SIGNATURE-----\n--sig--\n")


@case
def m38_delivery_report_with_returned_attachment(n):
    returned = mixed("returned", [pdf('; filename="returned.pdf"')])
    return ("From: MAILER-DAEMON@relay.test\nTo: alice@member.test\nSubject: Undelivered\n"
            "Message-ID: <%s@relay.test>\nMIME-Version: 1.0\n"
            'Content-Type: multipart/report; report-type=delivery-status; boundary="rep"\n\n'
            "--rep\nContent-Type: text/plain\n\nDelivery failed.\n"
            "--rep\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; relay.test\n\n"
            "Final-Recipient: rfc822; bob@nowhere.test\nAction: failed\nStatus: 5.1.1\n\n"
            "--rep\nContent-Type: message/rfc822\n\n" + returned + "\n--rep--\n") % n


@case
def m39_disposition_notification(n):
    return ("From: bob@member.test\nTo: alice@member.test\nSubject: Read: Contribution\n"
            "Message-ID: <%s@member.test>\nMIME-Version: 1.0\n"
            'Content-Type: multipart/report; report-type=disposition-notification;'
            ' boundary="mdn"\n\n'
            "--mdn\nContent-Type: text/plain\n\nYour message was displayed.\n"
            "--mdn\nContent-Type: message/disposition-notification\n\n"
            "Final-Recipient: rfc822; bob@member.test\n"
            "Disposition: manual-action/MDN-sent-manually; displayed\n"
            '--mdn\nContent-Type: text/rfc822-headers; name="headers.txt"\n\n'
            "Subject: Contribution\n--mdn--\n") % n


@case
def m40_forwarded_message(n):
    inner = mixed("inner", [pdf('; filename="forwarded.pdf"')], subject="Original",
                  boundary="inner")
    return mixed(n, ["Content-Type: message/rfc822\nContent-Disposition: inline\n\n" + inner],
                 subject="Fwd: Original")


@case
def m41_forward_of_forward(n):
    inner = mixed("inner", [pdf('; filename="deepest.pdf"')], subject="Original",
                  boundary="inner")
    middle = mixed("middle", ["Content-Type: message/rfc822\n\n" + inner], subject="Fwd",
                   boundary="mid")
    return mixed(n, ["Content-Type: message/rfc822\n\n" + middle], subject="Fwd: Fwd")


@case
def m42_forwarded_text_only(n):
    inner = head("inner", "Just text") + "Content-Type: text/plain\n\nNo files here.\n"
    return mixed(n, ["Content-Type: message/rfc822\n\n" + inner])


@case
def m43_digest_default_types(n):
    first = mixed("d1", [pdf('; filename="digest-one.pdf"')], boundary="d1")
    second = head("d2", "Second") + "Content-Type: text/plain\n\nplain entry\n"
    return (head(n) + 'Content-Type: multipart/digest; boundary="dig"\n\n'
            "--dig\n\n" + first + "\n--dig\n\n" + second + "\n--dig--\n")


def tnef_attribute(level, attribute, data):
    checksum = sum(data) & 0xFFFF
    return struct.pack("<BII", level, attribute, len(data)) + data + struct.pack("<H", checksum)


def tnef(files):
    out = struct.pack("<IH", 0x223E9F78, 0x0001)
    out += tnef_attribute(1, 0x00089006, struct.pack("<I", 0x00010000))  # attTnefVersion
    out += tnef_attribute(1, 0x00069007, struct.pack("<II", 1252, 0))  # attOemCodepage
    for name, data in files:
        out += tnef_attribute(2, 0x00069002, struct.pack("<HIHHI", 1, 0xFFFFFFFF, 0, 0, 0))
        out += tnef_attribute(2, 0x00018010, name.encode("ascii") + b"\0")
        out += tnef_attribute(2, 0x0006800F, data)
    return out


@case
def m44_tnef_two_files(n):
    data = tnef([("agenda.pdf", PDF), ("figures.bin", BIN)])
    return mixed(n, [attachment('Content-Type: application/ms-tnef; name="winmail.dat"\n'
                                'Content-Disposition: attachment; filename="winmail.dat"\n',
                                data)])


@case
def m45_tnef_undecodable(n):
    return mixed(n, [attachment('Content-Type: application/ms-tnef; name="winmail.dat"\n',
                                b"not a TNEF stream at all" + BIN)])


@case
def m46_tnef_by_name_only(n):
    data = tnef([("minutes.pdf", PDF)])
    return mixed(n, [attachment("Content-Type: application/octet-stream\n"
                                'Content-Disposition: attachment; filename="WINMAIL.DAT"\n',
                                data)])


@case
def m47_single_part_pdf(n):
    return head(n) + attachment('Content-Type: application/pdf; name="whole.pdf"\n')


@case
def m48_inline_image_not_related(n):
    return mixed(n, [attachment('Content-Type: image/jpeg\nContent-Disposition: inline;'
                                ' filename="photo.jpg"\n', BIN)])


# --- Malformed structure and encodings ---------------------------------------------------

@case
def m49_missing_closing_boundary(n):
    text = mixed(n, [pdf('; filename="unclosed.pdf"')])
    return text[:text.rindex("--XyZ--")]


@case
def m50_missing_inner_closing_boundary(n):
    inner = ('Content-Type: multipart/mixed; boundary="inner"\n\n--inner\n' +
             pdf('; filename="inner.pdf"'))
    return mixed(n, [inner, pdf('; filename="outer.pdf"')])


@case
def m51_unpadded_base64_two_short(n):
    text = base64.b64encode(BIN[:100]).decode().rstrip("=")
    return mixed(n, ["Content-Type: application/octet-stream; name=\"nopad100.bin\"\n"
                     "Content-Transfer-Encoding: base64\n\n" + text + "\n"])


@case
def m52_base64_junk_and_spaces(n):
    text = base64.b64encode(BIN).decode()
    junky = " ".join(text[i:i + 30] for i in range(0, len(text), 30))
    junky = junky[:50] + "!*|" + junky[50:]
    return mixed(n, ["Content-Type: application/octet-stream; name=\"junk.bin\"\n"
                     "Content-Transfer-Encoding: base64\n\n" + junky + "\n"])


@case
def m53_uppercase_encoding(n):
    return mixed(n, [attachment('Content-Type: Application/PDF; NAME="upper.pdf"\n'
                                ).replace("base64", "BASE64", 1)])


@case
def m54_unknown_transfer_encoding(n):
    return mixed(n, ['Content-Type: application/octet-stream; name="odd.bin"\n'
                     "Content-Transfer-Encoding: x-rot13\n\nraw bytes kept as they are\n"])


@case
def m55_quoted_printable_binary(n):
    data = b"line one\r\nnul\x00byte\xff=\n"
    qp = "".join("=%02X" % c if c < 32 or c > 126 or c == 61 else chr(c) for c in data)
    qp = qp[:20] + "=\n" + qp[20:]
    return mixed(n, ['Content-Type: application/octet-stream; name="qp.bin"\n'
                     "Content-Transfer-Encoding: quoted-printable\n\n" + qp + "\n"])


@case
def m56_uuencode(n):
    import binascii
    lines = [binascii.b2a_uu(BIN[i:i + 45]).decode() for i in range(0, len(BIN), 45)]
    body = "begin 644 uu.bin\n" + "".join(lines) + "`\nend\n"
    return mixed(n, ['Content-Type: application/octet-stream; name="uu.bin"\n'
                     "Content-Transfer-Encoding: x-uuencode\n\n" + body])


@case
def m57_binary_with_nul(n):
    return (mixed(n, ["Content-Type: application/octet-stream; name=\"nul.bin\"\n"
                      "Content-Transfer-Encoding: binary\n\n\x00\x01\x00 zero \x00\n"]))


@case
def m58_header_line_without_colon(n):
    text = mixed(n, [pdf('; filename="colon.pdf"')])
    return text.replace("MIME-Version: 1.0\n", "MIME-Version: 1.0\nthis line has no colon\n", 1)


@case
def m59_deep_nesting_40(n):
    depth = 40
    out = head(n)
    for level in range(depth):
        out += 'Content-Type: multipart/mixed; boundary="L%d"\n\n--L%d\n' % (level, level)
    out += pdf('; filename="too-deep.pdf"')
    for level in reversed(range(depth)):
        out += "--L%d--\n" % level
    return out


@case
def m60_nesting_30_within_limit(n):
    depth = 30
    out = head(n)
    for level in range(depth):
        out += 'Content-Type: multipart/mixed; boundary="L%d"\n\n--L%d\n' % (level, level)
    out += pdf('; filename="deep-ok.pdf"')
    for level in reversed(range(depth)):
        out += "--L%d--\n" % level
    return out


@case
def m61_many_parts_1200(n):
    parts = ['Content-Type: application/octet-stream; name="p%04d.bin"\n\nx%d\n' % (i, i)
             for i in range(1200)]
    return mixed(n, parts)


@case
def m62_huge_header_field(n):
    text = mixed(n, [pdf('; filename="after-huge-header.pdf"')])
    huge = "X-Junk: " + ("a" * 76 + "\n ") * 15000 + "end\n"
    return text.replace("MIME-Version: 1.0\n", huge + "MIME-Version: 1.0\n", 1)


@case
def m63_crlf_everywhere(n):
    return mixed(n, [pdf('; filename="crlf.pdf"')]).replace("\n", "\r\n")


@case
def m64_boundary_trailing_whitespace(n):
    text = mixed(n, [pdf('; filename="ws.pdf"')])
    return text.replace("--XyZ\n", "--XyZ  \t\n").replace("--XyZ--\n", "--XyZ--   \n")


@case
def m65_missing_subtype(n):
    return mixed(n, [attachment('Content-Type: application; name="nosubtype.bin"\n', BIN)])


@case
def m66_utf8_bom_before_headers(n):
    return "\ufeff" + mixed(n, [pdf('; filename="bom.pdf"')])


@case
def m67_duplicate_content_type(n):
    return mixed(n, [attachment('Content-Type: application/pdf; name="first-type.pdf"\n'
                                'Content-Type: image/png; name="second-type.png"\n')])


@case
def m68_headers_only_no_body(n):
    return head(n) + "Content-Type: multipart/mixed; boundary=\"none\"\n"


@case
def m69_empty_multipart_then_file(n):
    return mixed(n, ['Content-Type: multipart/mixed; boundary="empty"\n\n--empty--\n',
                     pdf('; filename="after-empty.pdf"')])


@case
def m70_preamble_looks_like_boundary(n):
    text = mixed(n, [pdf('; filename="pre.pdf"')])
    return text.replace("This is MIME.\n", "--XyZabc is not a boundary\n--XyZ-- nor this\n", 1)


def main():
    for name, make in CASES.items():
        text = make(name)
        data = text.encode("utf-8") if any(ord(c) > 255 for c in text) else ascii_bytes(text)
        if name in ("m22_raw_utf8_subject_and_name", "m66_utf8_bom_before_headers"):
            data = text.encode("utf-8")
        (HERE / (name + ".eml")).write_bytes(data)
    print("%d messages written to %s" % (len(CASES), HERE))


if __name__ == "__main__":
    main()
