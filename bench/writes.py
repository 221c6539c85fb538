#!/usr/bin/python3
"""writes.py PORT TOKEN RATE SECONDS PERSON PREFIX: an open-loop writer.

Sends RATE POST /api/events per second for SECONDS (each a new event naming
PERSON, ids PREFIX-N) from a pool of connections. Each request has a
scheduled start; its latency is measured from that start, so a slow server
is not hidden by the client waiting for it (no coordinated omission).
Prints one RESULT line: count, errors (non-201 or failed), p50/p99/max ms.
Standard library only.
"""
import http.client
import json
import queue
import sys
import threading
import time


def main():
    port, token, rate, secs, person, prefix = sys.argv[1:7]
    port, rate, secs = int(port), float(rate), float(secs)
    n = int(rate * secs)
    jobs = queue.Queue()
    lat = []
    errors = [0]
    lock = threading.Lock()
    start = time.monotonic() + 0.5

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            i = jobs.get()
            if i is None:
                return
            due = start + i / rate
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
            body = json.dumps({"id": "%s-%d" % (prefix, i), "type": "arrest",
                               "date": "2019-10-07", "persons": [person]})
            ok = False
            try:
                conn.request("POST", "/api/events", body=body,
                             headers={"Authorization": "Bearer " + token,
                                      "Content-Type": "application/json"})
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 201
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            done = time.monotonic()
            with lock:
                lat.append((done - due) * 1000.0)
                if not ok:
                    errors[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(32)]
    for t in threads:
        t.start()
    for i in range(n):
        jobs.put(i)
    for _ in threads:
        jobs.put(None)
    for t in threads:
        t.join()
    lat.sort()

    def pct(p):
        return lat[min(len(lat) - 1, int(p / 100.0 * len(lat)))] if lat else 0.0

    print("RESULT name=writes rate=%g seconds=%g count=%d errors=%d p50_ms=%.1f "
          "p99_ms=%.1f max_ms=%.1f" % (rate, secs, len(lat), errors[0], pct(50), pct(99),
                                       lat[-1] if lat else 0.0))


if __name__ == "__main__":
    main()
