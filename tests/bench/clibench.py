#!/usr/bin/python3
"""The end-to-end side of parse_bench.sh: wall-clock time of whole
processes, from spawn to exit, on one file each: `socialhub parse FILE`
(stdout to /dev/null) and a /usr/bin/python3 process that imports
feedparser and parses the same file. Runs alternate (one of each per
round) so a change of load on a shared machine hits both alike.
Usage: clibench.py [-n RUNS] SOCIALHUB FILE...
Prints one line per file: name bytes socialhub_median_s feedparser_median_s
"""
import getopt
import os
import statistics
import subprocess
import sys
import time

FEEDPARSER = ('import sys, feedparser; '
              'feedparser.parse(open(sys.argv[1], "rb").read())')


def wall(cmd):
    """Seconds from spawn to exit; the command must succeed."""
    t0 = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
    t = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit('clibench: %s failed (%d)' % (' '.join(cmd), r.returncode))
    return t


def main(argv):
    opts, args = getopt.getopt(argv, 'n:')
    runs = 5
    for k, v in opts:
        if k == '-n':
            runs = int(v)
    if len(args) < 2 or runs < 1:
        sys.exit('usage: clibench.py [-n RUNS] SOCIALHUB FILE...')
    socialhub, files = args[0], args[1:]
    for f in files:
        sh_cmd = [socialhub, 'parse', f]
        fp_cmd = ['/usr/bin/python3', '-c', FEEDPARSER, f]
        wall(sh_cmd)  # warm the page cache, not counted
        sh, fp = [], []
        for _ in range(runs):
            sh.append(wall(sh_cmd))
            fp.append(wall(fp_cmd))
        print('%s %d %.6f %.6f' % (os.path.basename(f), os.path.getsize(f),
                                   statistics.median(sh),
                                   statistics.median(fp)))


if __name__ == '__main__':
    main(sys.argv[1:])
