#!/usr/bin/python3
"""cache_tool: reads socialhub's framed cache files for the streams tests.

  cache_tool.py key URL                      the cache key of a source URL
  cache_tool.py get FILE [PATH...]           verifies the frame, prints JSON
                                             values at dotted PATHs (a.0.b)
  cache_tool.py status CACHE URL [PATH...]   the same on a source's status.json
  cache_tool.py source CACHE URL NAME [PATH...]  any file of a source
  cache_tool.py each CACHE PATH URL...       PATH of each URL's status.json,
                                             one line per URL (empty when
                                             missing or corrupt): one process
                                             for many sources
Exit 1 (message on stderr) when a file is missing or fails its check.
"""
import hashlib
import json
import sys


def key(url):
    return hashlib.sha256(url.encode()).hexdigest()[:32]


def unframe(path):
    data = open(path, 'rb').read()
    nl = data.index(b'\n')
    magic, length, digest = data[:nl].decode().split(' ')
    payload = data[nl + 1:]
    if magic != 'SHC1' or int(length) != len(payload) or \
            hashlib.sha256(payload).hexdigest() != digest:
        raise ValueError('corrupt frame')
    return payload


def walk(v, path):
    for part in path.split('.') if path else []:
        v = v[int(part)] if isinstance(v, list) else v[part]
    return v


def show(path, paths):
    payload = unframe(path)
    if not paths:
        sys.stdout.buffer.write(payload)
        return
    doc = json.loads(payload)
    for p in paths:
        v = walk(doc, p)
        print(v if isinstance(v, str) else json.dumps(v))


def main(argv):
    try:
        if argv[0] == 'key':
            print(key(argv[1]))
        elif argv[0] == 'get':
            show(argv[1], argv[2:])
        elif argv[0] == 'status':
            show('%s/sources/%s/status.json' % (argv[1], key(argv[2])), argv[3:])
        elif argv[0] == 'each':
            for url in argv[3:]:
                try:
                    doc = json.loads(unframe('%s/sources/%s/status.json' % (argv[1], key(url))))
                    v = walk(doc, argv[2])
                    print(v if isinstance(v, str) else json.dumps(v))
                except (OSError, ValueError, KeyError, IndexError):
                    print('')
        elif argv[0] == 'source':
            show('%s/sources/%s/%s' % (argv[1], key(argv[2]), argv[3]), argv[4:])
        else:
            raise SystemExit(__doc__)
    except (OSError, ValueError, KeyError, IndexError) as e:
        print('cache_tool: %s' % e, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
