#!/usr/bin/python3
"""The feedparser side of parse_bench.sh: same files, same output format
(files bytes runs cpu_s wall_s cpu_MB/s wall_MB/s failed), in-process."""
import getopt
import sys
import time

import feedparser


def main(argv):
    opts, files = getopt.getopt(argv, 'r:')
    repeat = 1
    for k, v in opts:
        if k == '-r':
            repeat = int(v)
    bodies = [open(f, 'rb').read() for f in files]
    total = sum(len(b) for b in bodies)
    failed = 0
    w0, c0 = time.monotonic(), time.process_time()
    for r in range(repeat):
        for b in bodies:
            try:
                d = feedparser.parse(b)
            except Exception:  # feedparser itself crashes on a few cases
                failed += 1 if r == 0 else 0
                continue
            if r == 0 and not d.get('version') and not d.entries:
                failed += 1
    w, c = time.monotonic() - w0, time.process_time() - c0
    print('%d %d %d %.3f %.3f %.2f %.2f %d' % (
        len(files), total, repeat, c, w, total * repeat / c / 1e6,
        total * repeat / w / 1e6, failed))


if __name__ == '__main__':
    main(sys.argv[1:])
