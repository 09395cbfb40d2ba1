"""echo_headers.py: a stand-in application behind nginx's proxy_pass that
answers every request with its request headers as JSON, each value as the
hex of the bytes received (no decoding: Python's http.server would read
them as Latin-1 and split on U+0085/U+2028).

    /usr/bin/python3 echo_headers.py HOST PORT
"""
import json
import socket
import sys


def serve(conn):
    data = b""
    conn.settimeout(5)
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = conn.recv(4096)
        if not chunk:
            return
        data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]
    out = {}
    for line in head:
        name, _, value = line.partition(b":")
        out[name.strip().lower().decode("ascii", "replace")] = value.strip(b" \t").hex()
    body = json.dumps(out).encode()
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                 b"Connection: close\r\nContent-Length: %d\r\n\r\n" % len(body) + body)


def main():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((sys.argv[1], int(sys.argv[2])))
    s.listen(16)
    while True:
        conn, _ = s.accept()
        try:
            serve(conn)
        except OSError:
            pass
        finally:
            conn.close()


main()
