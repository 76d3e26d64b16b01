#!/usr/bin/python3
"""Check latency and throughput of `doppel serve` over HTTP on loopback.

usage: index_http.py PORT INPUT.jsonl [clients] [seconds]
Each client thread keeps one connection and POSTs single documents of INPUT
to /v1/check; prints checks/s, p50 and p99 of the round trip. (The client is
Python: at high rates it, not the server, may be the limit; the server's own
CPU time is measured by the calling script.)
"""
import http.client
import json
import sys
import threading
import time

port = int(sys.argv[1])
docs = [ln.rstrip("\n") for ln in open(sys.argv[2])]
clients = int(sys.argv[3]) if len(sys.argv) > 3 else 8
seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 10
lat, errors = [], []
lock = threading.Lock()
stop = time.monotonic() + seconds


def client(k):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    mine = []
    i = k
    while time.monotonic() < stop:
        body = docs[i % len(docs)]
        i += clients
        t = time.monotonic()
        c.request("POST", "/v1/check", body=body, headers={"Content-Type": "application/json"})
        r = c.getresponse()
        data = r.read()
        mine.append(time.monotonic() - t)
        if r.status != 200:
            errors.append(r.status)
        json.loads(data)
    with lock:
        lat.extend(mine)


t0 = time.monotonic()
ts = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
for t in ts:
    t.start()
for t in ts:
    t.join()
el = time.monotonic() - t0
lat.sort()
n = len(lat)
print(f"HTTP check: {clients} clients, {n} checks in {el:.1f}s = {n / el:.0f} checks/s, "
      f"p50 {lat[n // 2] * 1e3:.2f} ms, p99 {lat[int(n * 0.99)] * 1e3:.2f} ms, errors {len(errors)}")
