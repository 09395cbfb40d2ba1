#!/usr/bin/env python3
"""record: turns the raw answers of tests/snapshot/routes.sh into snapshot files.

  record.py split RAW_DIR OUT_DIR MANIFEST
      For every LABEL in RAW_DIR/INDEX (in order): RAW_DIR/LABEL.req (the
      request, "> " lines) and RAW_DIR/LABEL.raw (the CGI answer as
      socialhub wrote it) become OUT_DIR/LABEL:

          > GET /social/streams/brand.json?limit=5
          > [client exit 0]
          <blank line>
          Status: 200 OK              header lines, CR removed
          ...
          <blank line>
          body, byte for byte

      A body that is an image (Content-Type image/*) or not UTF-8 text is
      written as one line "[binary body: N bytes, sha256 HEX]". Appends one
      JSON line per answer to MANIFEST (raw ETag, Content-Length, body size
      and hashes) for `verify`.

  record.py verify MANIFEST
      After the sed normalisations (routes.sh, N1-N4) have run on the
      files: for each text answer whose body they changed, the ETag and
      Content-Length headers are checked against the *raw* body; when they
      match they become "@sha256-hex(body)@" / "@sha256-b64(body)@" (the
      two ETag encodings socialhub uses: 32 hex digits of SHA-256, or
      base64url of its first 18 bytes) and @len(body)@ (N5 in routes.sh).
      The same ETag value anywhere else (If-None-Match lines, 304 answers)
      gets the same marker. Values that do not match are left as they are.
"""

import base64
import hashlib
import json
import os
import sys


def split_answer(raw):
    """(header lines as str, body bytes); the header block ends at the first
    empty line (CRLF or LF)."""
    i = raw.find(b"\r\n\r\n")
    j = raw.find(b"\n\n")
    if i >= 0 and (j < 0 or i <= j):
        head, body = raw[:i], raw[i + 4:]
    elif j >= 0:
        head, body = raw[:j], raw[j + 2:]
    else:
        head, body = raw, b""
    lines = head.decode("utf-8", "surrogateescape").split("\n")
    return [l[:-1] if l.endswith("\r") else l for l in lines], body


def header(lines, name):
    n = name.lower() + ":"
    for l in lines:
        if l.lower().startswith(n):
            return l[len(n):].strip()
    return None


def is_text(ctype, body):
    if ctype is not None and (ctype.startswith("image/") or ctype.startswith("application/octet-stream")):
        return False
    if b"\0" in body:
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def cmd_split(raw_dir, out_dir, manifest):
    with open(os.path.join(raw_dir, "INDEX"), encoding="utf-8") as fh:
        labels = [l.rstrip("\n") for l in fh if l.strip()]
    with open(manifest, "a", encoding="utf-8") as man:
        for label in labels:
            with open(os.path.join(raw_dir, label + ".req"), "rb") as fh:
                req = fh.read()
            with open(os.path.join(raw_dir, label + ".raw"), "rb") as fh:
                raw = fh.read()
            out = os.path.join(out_dir, label)
            os.makedirs(os.path.dirname(out), exist_ok=True)
            if not raw:
                with open(out, "wb") as fh:
                    fh.write(req + b"\n[no answer]\n")
                continue
            lines, body = split_answer(raw)
            ctype = header(lines, "Content-Type")
            text = is_text(ctype, body)
            digest = hashlib.sha256(body).digest()
            with open(out, "wb") as fh:
                fh.write(req + b"\n")
                fh.write("\n".join(lines).encode("utf-8", "surrogateescape") + b"\n\n")
                if text:
                    fh.write(body)
                else:
                    fh.write(b"[binary body: %d bytes, sha256 %s]\n" % (len(body), digest.hex().encode()))
            man.write(json.dumps({
                "out": out, "raw": os.path.join(raw_dir, label + ".raw"), "text": text,
                "etag": header(lines, "ETag"), "length": header(lines, "Content-Length"),
                "blen": len(body), "hex": '"%s"' % digest.hex()[:32],
                "b64": '"%s"' % base64.urlsafe_b64encode(digest[:18]).decode().rstrip("="),
            }) + "\n")


def out_parts(data):
    """(request block, header block, body) of a snapshot file."""
    a = data.index(b"\n\n") + 2
    b = data.index(b"\n\n", a) + 2
    return data[:a], data[a:b], data[b:]


def cmd_verify(manifest):
    entries = []
    with open(manifest, encoding="utf-8") as fh:
        for line in fh:
            entries.append(json.loads(line))
    markers = {}
    for e in entries:
        if not e["text"]:
            continue
        with open(e["raw"], "rb") as fh:
            _, raw_body = split_answer(fh.read())
        with open(e["out"], "rb") as fh:
            data = fh.read()
        req, head, body = out_parts(data)
        if body == raw_body:
            continue
        lines = head.decode("utf-8", "surrogateescape").split("\n")
        for k, l in enumerate(lines):
            low = l.lower()
            if low.startswith("etag:") and e["etag"] is not None:
                if e["etag"] == e["hex"]:
                    markers[e["etag"]] = '"@sha256-hex(body)@"'
                elif e["etag"] == e["b64"]:
                    markers[e["etag"]] = '"@sha256-b64(body)@"'
            elif low.startswith("content-length:") and l.split(":", 1)[1].strip() == str(e["blen"]):
                lines[k] = l[:len("content-length:")] + " @len(body)@"
        with open(e["out"], "wb") as fh:
            fh.write(req + "\n".join(lines).encode("utf-8", "surrogateescape") + body)
    if not markers:
        return
    for e in entries:
        with open(e["out"], "rb") as fh:
            data = fh.read()
        new = data
        for value, marker in markers.items():
            new = new.replace(value.encode(), marker.encode())
        if new != data:
            with open(e["out"], "wb") as fh:
                fh.write(new)


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "split":
        cmd_split(sys.argv[2], sys.argv[3], sys.argv[4])
    elif len(sys.argv) == 3 and sys.argv[1] == "verify":
        cmd_verify(sys.argv[2])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
