#!/usr/bin/env python3
"""token_fault_op.py: a minimal OpenID provider for test_faults.sh whose
token endpoint is broken. /down/... and /slow/... are two issuers: their
discovery documents point the token endpoint at a closed port (down) or at
a TCP listener that accepts and never answers (slow). Writes the HTTP port
to --port-file. 127.0.0.1 only."""
import argparse
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ap = argparse.ArgumentParser()
ap.add_argument("--port-file", required=True)
ap.add_argument("--closed-port", type=int, required=True)
args = ap.parse_args()

hang = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
hang.bind(("127.0.0.1", 0))
hang.listen(64)
HANG_PORT = hang.getsockname()[1]
held = []


def hang_loop():
    while True:
        c, _ = hang.accept()
        held.append(c)  # read nothing, answer nothing, never close


threading.Thread(target=hang_loop, daemon=True).start()


class H(BaseHTTPRequestHandler):
    def do_GET(self):
        base = "http://127.0.0.1:%d" % self.server.server_address[1]
        for name, tok in (("down", "http://127.0.0.1:%d/token" % args.closed_port),
                          ("slow", "http://127.0.0.1:%d/token" % HANG_PORT)):
            iss = base + "/" + name
            if self.path == "/%s/.well-known/openid-configuration" % name:
                return self.json({
                    "issuer": iss,
                    "authorization_endpoint": iss + "/authorize",
                    "token_endpoint": tok,
                    "jwks_uri": iss + "/jwks",
                    "response_types_supported": ["code"],
                    "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                })
            if self.path == "/%s/jwks" % name:
                return self.json({"keys": []})
        self.send_response(404)
        self.end_headers()

    def json(self, obj):
        body = json.dumps(obj).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(args.port_file, "w") as f:
    f.write(str(srv.server_address[1]))
srv.serve_forever()
