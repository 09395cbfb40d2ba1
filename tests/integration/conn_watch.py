#!/usr/bin/python3
"""conn_watch: counts the TCP connections a local server holds on one port.

Samples /proc/net/tcp every --interval seconds (default 5 ms) and keeps, for
the server side of every connection to --port (local port == PORT) that
the client still holds open (SYN_RECV, ESTABLISHED; FIN_WAIT1/2 when the
server closed first: not CLOSE_WAIT, where the client has closed and only
the server has yet to), the most open at once per local address and in
total, and how many were opened: a connection (local address, peer port)
counts as new when the previous sample did not hold it (a peer port can be
reused at once after a reset, so distinct tuples would undercount). Runs until SIGTERM or SIGINT, then writes one JSON object to
--out:

  {"samples": N, "max_total": N, "max_per_host": {"127.0.0.2": N, ...},
   "max_total_raw": N, "max_per_host_raw": {...},
   "opened_total": N, "opened_per_host": {...}}

Reading /proc/net/tcp is not a snapshot: a connection closed and another
opened while the file is being read can both show in one sample. So the
maxima count the connections present in two consecutive samples (one that
closes and one that opens during a read are not both in the next one);
the _raw maxima count single samples. Connections shorter than the interval
would be missed by the former; the tests' last 200 ms and more.

Independent of the server (nginx, python): what the kernel shows. The
connections the tests look at last hundreds of milliseconds, far longer than
the sampling interval.
"""

import argparse
import json
import os
import signal
import socket
import struct
import sys
import time

STATES = {'01', '03', '04', '05'}   # ESTABLISHED, SYN_RECV, FIN_WAIT1/2


def hex_ip(h):
    return socket.inet_ntoa(struct.pack('<I', int(h, 16)))


def sample(port):
    """Server-side connections on `port` now: set of (local ip, peer port)."""
    out = set()
    with open('/proc/net/tcp') as f:
        next(f)
        for line in f:
            parts = line.split()
            local, remote, st = parts[1], parts[2], parts[3]
            lip, lport = local.split(':')
            if int(lport, 16) != port or st not in STATES:
                continue
            out.add((hex_ip(lip), int(remote.split(':')[1], 16)))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--port', type=int, required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--ready', help='file created once sampling runs')
    ap.add_argument('--interval', type=float, default=0.005)
    a = ap.parse_args()
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    n = 0
    raw = {'total': 0, 'host': {}}
    stable = {'total': 0, 'host': {}}
    prev = set()
    opened = {}

    def note(m, conns):
        m['total'] = max(m['total'], len(conns))
        per = {}
        for ip, _ in conns:
            per[ip] = per.get(ip, 0) + 1
        for ip, c in per.items():
            m['host'][ip] = max(m['host'].get(ip, 0), c)

    while not stop:
        now = sample(a.port)
        n += 1
        for ip, _ in now - prev:
            opened[ip] = opened.get(ip, 0) + 1
        note(raw, now)
        note(stable, now & prev)
        prev = now
        if a.ready and n == 1:
            open(a.ready, 'w').close()
        time.sleep(a.interval)
    res = {'samples': n, 'max_total': stable['total'], 'max_per_host': stable['host'],
           'max_total_raw': raw['total'], 'max_per_host_raw': raw['host'],
           'opened_total': sum(opened.values()), 'opened_per_host': opened}
    tmp = a.out + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(res, f, sort_keys=True)
    os.rename(tmp, a.out)
    return 0


if __name__ == '__main__':
    sys.exit(main())
