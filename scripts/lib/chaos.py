"""Clients that misbehave, for scripts/chaos. Standard library only.

  chaos.py flood PORT SOURCES PER_SOURCE HOLD   slow clients from 127.0.0.2.. while
                                                 /healthz is asked from 127.0.0.1
  chaos.py poll READYZ_URL TIMEOUT               seconds until /readyz says the
                                                 database is ok

Each prints one JSON object on stdout.
"""

import json
import socket
import sys
import threading
import time
import urllib.error
import urllib.request


def status_of(url, timeout=5.0):
    """HTTP status of a GET (0 when the connection failed), and how long it took."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            resp.read()
            status = resp.status
    except urllib.error.HTTPError as err:
        status = err.code
    except OSError:
        status = 0
    return status, time.monotonic() - started


def open_slow(port, source, half):
    """A connection from `source` that sends nothing or half a request line."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setblocking(True)
    sock.settimeout(2.0)
    try:
        sock.bind((source, 0))
        sock.connect(("127.0.0.1", port))
        if half:
            sock.sendall(b"GET /healthz HT")
    except OSError:
        sock.close()
        return None
    return sock


def closed_by_server(sock):
    """Whether the server has closed (or reset) this connection."""
    sock.settimeout(0.0)
    try:
        return sock.recv(1024) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def flood(port, sources, per_source, hold):
    healthz = "http://127.0.0.1:%d/healthz" % port
    samples = []
    stop = threading.Event()

    def probe():
        while not stop.is_set():
            samples.append(status_of(healthz))
            time.sleep(0.1)

    prober = threading.Thread(target=probe)
    prober.start()
    started = time.monotonic()
    socks = []
    failed_connect = 0
    for s in range(sources):
        for i in range(per_source):
            sock = open_slow(port, "127.0.0.%d" % (2 + s), half=i % 2 == 1)
            if sock is None:
                failed_connect += 1
            else:
                socks.append(sock)
    opened = time.monotonic() - started
    time.sleep(0.5)
    refused = sum(1 for sock in socks if closed_by_server(sock))
    # How long until the server closed every slow connection it had accepted.
    deadline = time.monotonic() + hold
    open_ones = [s for s in socks]
    while open_ones and time.monotonic() < deadline:
        open_ones = [s for s in open_ones if not closed_by_server(s)]
        time.sleep(0.2)
    all_closed_after = time.monotonic() - started
    stop.set()
    prober.join()
    for sock in socks:
        sock.close()
    after, _ = status_of(healthz)
    ok = [t for st, t in samples if st == 200]
    return {
        "attempted": sources * per_source,
        "connect_failed": failed_connect,
        "refused_at_once": refused,
        "still_open_at_end": len(open_ones),
        "all_closed_after_s": round(all_closed_after, 2),
        "opening_took_s": round(opened, 2),
        "healthz_during": len(samples),
        "healthz_ok": len(ok),
        "healthz_max_ms": round(max(ok) * 1000, 1) if ok else None,
        "healthz_after": after,
    }


def database_check(url):
    """The `checks.database` text of /readyz (which answers 503 while no cluster does)."""
    try:
        with urllib.request.urlopen(url, timeout=3.0) as resp:
            body = resp.read()
    except urllib.error.HTTPError as err:
        body = err.read()
    except OSError as err:
        return "no answer: %s" % err
    try:
        return json.loads(body)["checks"]["database"]
    except (ValueError, KeyError):
        return "unreadable"


def poll(url, timeout):
    """Seconds until /readyz says the database is ok."""
    started = time.monotonic()
    seen = None
    while time.monotonic() - started < timeout:
        seen = database_check(url)
        if seen == "ok":
            return {"seconds": round(time.monotonic() - started, 2), "database": seen}
        time.sleep(0.1)
    return {"seconds": None, "database": seen}


def main(argv):
    if argv[1] == "flood":
        print(json.dumps(flood(int(argv[2]), int(argv[3]), int(argv[4]), float(argv[5]))))
    elif argv[1] == "poll":
        print(json.dumps(poll(argv[2], float(argv[3]))))
    else:
        raise SystemExit("unknown command %s" % argv[1])


if __name__ == "__main__":
    main(sys.argv)
