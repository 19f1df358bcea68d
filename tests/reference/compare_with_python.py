#!/usr/bin/env python3
"""Compares contribd's MIME extraction (mime_dump) with Python's email package.

Both sides apply the rule of SPEC.md "What happens to a message" item 2: files are leaves
with a filename or nameless non-text leaves; not files are body text, cid:-referenced parts
of multipart/related, the signature of multipart/signed, report parts of multipart/report
and message/* containers; TNEF stands for the files inside it. Python's iter_attachments()
follows a different rule, so the tree is walked here.

Every message whose subject or files (name, type, size, SHA-256) differ must be listed in
known_differences.txt with the reason contribd is right; an unlisted difference fails.
"""
import argparse
import email
import email.policy
import hashlib
import json
import pathlib
import re
import struct
import subprocess
import sys
import unicodedata

REPORT_TYPES = {
    "message/delivery-status", "message/disposition-notification", "text/rfc822-headers",
    "message/feedback-report", "message/global-delivery-status",
    "message/global-disposition-notification", "message/global-headers",
}
EXTENSIONS = {
    "application/pdf": "pdf", "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/zip": "zip", "application/gzip": "gz", "application/rtf": "rtf",
    "application/xml": "xml", "application/json": "json", "application/ms-tnef": "dat",
    "image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "text/plain": "txt",
    "text/html": "html",
}
MAX_DEPTH = 32  # ExtractLimits defaults
MAX_PARTS = 1000


def nfc(text):
    return unicodedata.normalize("NFC", text)


def type_for_filename(name):
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    for mime_type, known in EXTENSIONS.items():
        if known == ext:
            return mime_type
    return {"jpeg": "image/jpeg", "txt": "text/plain"}.get(ext, "application/octet-stream")


def tnef_files(data):
    """Attachment titles and data from a TNEF stream (level-2 attributes only)."""
    if len(data) < 6 or struct.unpack_from("<I", data, 0)[0] != 0x223E9F78:
        return None
    pos, files, title = 6, [], None
    while pos + 9 <= len(data):
        level = data[pos]
        attr_id, length = struct.unpack_from("<II", data, pos + 1)
        value = data[pos + 9:pos + 9 + length]
        pos += 9 + length + 2
        if pos > len(data):
            return None
        if level != 2:
            continue
        if attr_id & 0xFFFF == 0x9002:  # attAttachRenddata starts a new attachment
            title = None
        elif attr_id & 0xFFFF == 0x8010:  # attAttachTitle
            title = value.split(b"\0", 1)[0].decode("utf-8", "replace")
        elif attr_id & 0xFFFF == 0x800F:  # attAttachData
            files.append((title or "attachment-%d.bin" % (len(files) + 1), value))
    return files


class Walker:
    def __init__(self):
        self.files = []
        self.nameless = 0
        self.leaves = 0

    def walk(self, part, depth):
        if depth > MAX_DEPTH or self.leaves > MAX_PARTS:
            return
        ctype = part.get_content_type()
        if ctype == "message/partial":
            return
        if part.get_content_maintype() == "message" and part.is_multipart():
            if ctype in REPORT_TYPES:
                return
            for inner in part.get_payload():
                self.walk(inner, depth + 1)
            return
        if part.is_multipart():
            self.walk_multipart(part, ctype, depth)
            return
        self.leaf(part, ctype)

    def walk_multipart(self, part, ctype, depth):
        children = part.get_payload()
        hidden = referenced_cids(part) if ctype == "multipart/related" else set()
        for index, child in enumerate(children):
            if ctype == "multipart/signed" and index > 0:
                continue
            if ctype == "multipart/report" and child.get_content_type() in REPORT_TYPES:
                continue
            if hidden and content_id(child) in hidden:
                continue
            self.walk(child, depth + 1)

    def leaf(self, part, ctype):
        self.leaves += 1
        if self.leaves > MAX_PARTS or ctype.startswith("message/"):
            return
        name = part.get_filename()
        name = nfc(str(name)) if name else ""
        if not name and ctype.startswith("text/"):
            return
        data = part.get_payload(decode=True) or b""
        if ctype in ("application/ms-tnef", "application/vnd.ms-tnef") or \
                name.lower() == "winmail.dat":
            inner = tnef_files(data)
            if inner is not None:
                for inner_name, inner_data in inner:
                    self.add(nfc(inner_name), type_for_filename(inner_name), inner_data)
                return
        if not name:
            if not data:
                return
            self.nameless += 1
            ext = EXTENSIONS.get(ctype, "bin")
            name = "attachment.%s" % ext if self.nameless == 1 else \
                "attachment-%d.%s" % (self.nameless, ext)
        self.add(name, ctype, data)

    def add(self, name, ctype, data):
        self.files.append({"filename": name, "content_type": ctype, "size": len(data),
                           "sha256": hashlib.sha256(data).hexdigest()})


def content_id(part):
    value = part.get("Content-ID")
    if not value:
        return ""
    return str(value).strip().strip("<>").strip().lower()


def referenced_cids(related):
    html = ""
    for sub in related.walk():
        if sub.get_content_type() == "text/html" and not sub.is_multipart():
            html += (sub.get_payload(decode=True) or b"").decode("latin-1").lower()
    found = set()
    for child in related.get_payload():
        cid = content_id(child)
        if cid and "cid:" + cid in html:
            found.add(cid)
    return found


def python_view(path):
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    walker = Walker()
    walker.walk(msg, 0)
    subject = msg.get("Subject")
    subject = nfc(str(subject)) if subject is not None else ""
    return {"subject": subject, "files": walker.files}


def contribd_views(mime_dump, paths):
    views = {}
    batch = 50
    for start in range(0, len(paths), batch):
        chunk = [str(p) for p in paths[start:start + batch]]
        out = subprocess.run([mime_dump, *chunk], capture_output=True, check=False)
        if out.returncode not in (0, 1) or out.returncode < 0:
            sys.exit("mime_dump failed (%d) on %s" % (out.returncode, chunk))
        for line in out.stdout.decode("utf-8").splitlines():
            record = json.loads(line)
            views[record["file"]] = record
    return views


def normalised_subject(text):
    # Folding white space is not a difference worth listing.
    return re.sub(r"\s+", " ", text).strip()


def differences(ours, theirs):
    found = []
    if normalised_subject(ours["subject"]) != normalised_subject(theirs["subject"]):
        found.append("subject %r vs python %r" % (ours["subject"], theirs["subject"]))
    keys = ("filename", "content_type", "size", "sha256")
    mine = [tuple(f[k] for k in keys) for f in ours["files"]]
    python = [tuple(f[k] for k in keys) for f in theirs["files"]]
    if mine != python:
        found.append("files %r vs python %r" % (mine, python))
    return found


def load_known(path):
    known = {}
    for line in pathlib.Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, reason = line.partition(":")
        known[name.strip()] = reason.strip()
    return known


def message_files(folder):
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name != "README.md"
                  and p.suffix not in (".py",))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mime-dump", required=True)
    parser.add_argument("--known", required=True)
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()

    paths = []
    corpus = pathlib.Path(args.corpus)
    if corpus.is_dir():
        for sub in ("public", "tricky"):
            if (corpus / sub).is_dir():
                paths += message_files(corpus / sub)
    else:
        print("skipped: corpus %s absent" % corpus)
    data = pathlib.Path(args.data)
    if data.is_dir():
        paths += [p for p in message_files(data) if p.suffix == ".eml"]

    known = load_known(args.known)
    views = contribd_views(args.mime_dump, paths)
    unlisted, listed, agreeing_listed = [], 0, []
    for path in paths:
        ours = views[str(path)]
        try:
            theirs = python_view(path)
        except Exception as error:  # the reference itself fails: contribd must not
            theirs = {"subject": "", "files": [], "error": repr(error)}
        diffs = differences(ours, theirs)
        if not diffs:
            if path.name in known:
                agreeing_listed.append(path.name)
            continue
        if path.name in known:
            listed += 1
            if args.verbose:
                print("known   %s: %s" % (path.name, "; ".join(diffs)))
            continue
        unlisted.append((path.name, diffs))

    print("%d messages compared; %d agree, %d listed differences, %d unlisted"
          % (len(paths), len(paths) - listed - len(unlisted), listed, len(unlisted)))
    for name in agreeing_listed:
        print("note: %s is listed in known_differences.txt but now agrees" % name)
    for name, diffs in unlisted:
        print("UNLISTED %s: %s" % (name, "; ".join(diffs)))
    return 1 if unlisted else 0


if __name__ == "__main__":
    sys.exit(main())
