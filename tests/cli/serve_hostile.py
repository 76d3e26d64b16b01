#!/usr/bin/python3
"""Load and hostility test of `doppel serve` on 127.0.0.1, bounded in time.

usage: serve_hostile.py DOPPEL INDEX_DIR SYNTH.jsonl [--full]
Run by tests/cli/serve_cli.sh. Starts the server, checks the API's answers,
then: concurrent clients, bodies over the limit, invalid JSON and UTF-8, a
slow sender, clients that disconnect mid-request, idle connections; then
that every committed document is still there, the server's memory stayed
bounded, and SIGTERM lets a request in flight finish. Prints one line per
failure and a summary; exit 1 on any failure.
"""
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

doppel, index_dir, synth = sys.argv[1:4]
full = "--full" in sys.argv
fails = []
passes = 0


def check(cond, what):
    global passes
    if cond:
        passes += 1
    else:
        fails.append(what)
        print("FAIL:", what, file=sys.stderr)


proc = subprocess.Popen([doppel, "serve", index_dir, "--listen", "127.0.0.1:0", "--threads", "4",
                         "--max-body", "256K", "--timeout", "2", "--max-docs", "2000"],
                        stderr=subprocess.PIPE, text=True)
line = proc.stderr.readline()
port = int(line.strip().rsplit(":", 1)[1])
stderr_rest = []
threading.Thread(target=lambda: stderr_rest.extend(proc.stderr), daemon=True).start()


def request(method, path, body=None, timeout=10):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request(method, path, body=body,
                  headers={"Content-Type": "application/json"} if body is not None else {})
        r = c.getresponse()
        data = r.read()
        return r.status, json.loads(data) if data else None
    finally:
        c.close()


def rss_kib():
    with open(f"/proc/{proc.pid}/status") as f:
        for ln in f:
            if ln.startswith("VmRSS:"):
                return int(ln.split()[1])
    return 0


docs = [json.loads(ln) for ln in open(synth)]

# ---- the API ----------------------------------------------------------------------
st, body = request("GET", "/healthz")
check(st == 200 and body == {"status": "ok"}, "healthz")
st, stats0 = request("GET", "/v1/stats")
check(st == 200 and stats0["docs"] > 0, "stats")
st, body = request("POST", "/v1/check", json.dumps(docs[0]))
check(st == 200 and any(r["id"] == docs[0]["id"] and r["relation"] == "exact"
                        for r in body["relations"]), "check of an indexed document: exact")
st, body = request("POST", "/v1/check", json.dumps(docs[:3]))
check(st == 200 and isinstance(body, list) and len(body) == 3, "check of an array")
new = [{"id": f"h{i}", "text": docs[i]["text"] + " an added sentence of our own",
        "source": "hostile"} for i in range(5)]
st, body = request("POST", "/v1/add", json.dumps(new))
check(st == 200 and [b["status"] for b in body] == ["added"] * 5, "add")
st, body = request("GET", "/v1/doc/h3")
check(st == 200 and body["id"] == "h3" and body["outlet"] == "hostile"
      and len(body["relations"]) >= 1, "doc after add")
# "source" as doppel pairs gives it (the id of the document the other took
# from: dates first, else the covering one), the outlet apart
A = ("the minister arrived in the capital on tuesday for two days of talks with his "
     "counterpart about trade energy and the security of the region")
B = ("officials said the talks would cover a new pipeline and the price of gas which has "
     "risen sharply since the start of the year")
C = ("a spokesman for the ministry declined to say whether a treaty would be signed during "
     "the visit but did not rule it out either")
st, body = request("POST", "/v1/add", json.dumps(
    {"id": "src1", "text": f"{A} {B} {C}", "date": "2024-01-02", "outlet": "wire"}))
check(st == 200 and body["status"] == "added", "add src1")
st, body = request("POST", "/v1/check", json.dumps(
    [{"id": "earlier", "text": f"{A} {B}", "date": "2024-01-01"},
     {"id": "undated", "text": f"{B} {C}"}]))
rel = [{r["id"]: r for r in b["relations"]}.get("src1", {}) for b in body]
check(st == 200 and rel[0].get("relation") == "contained" and rel[0].get("source") == "earlier"
      and rel[0].get("outlet") == "wire", f"check: the new document is the source: {rel[0]}")
check(st == 200 and rel[1].get("relation") == "contained" and rel[1].get("source") == "src1",
      f"check: the indexed document is the source: {rel[1]}")
st, body = request("GET", "/v1/doc/src1")
check(st == 200 and body.get("outlet") == "wire" and "source" not in body, "doc: outlet")
st, body = request("GET", "/v1/doc/no-such-id")
check(st == 404 and body["error"]["code"] == 404, "doc 404")
st, body = request("GET", "/v1/check")
check(st == 405, "GET on check: 405")
st, body = request("POST", "/v1/add", json.dumps({"text": "no id here at all"}))
check(st == 400 and "id" in body["error"]["message"], "add without id: 400")
st, body = request("POST", "/v1/check", '{"text": 12}')
check(st == 400, "text not a string: 400")
st, body = request("POST", "/v1/check", '{"text": "unterminated')
check(st == 400 and body["error"]["code"] == 400, "invalid JSON: 400")
st, body = request("POST", "/v1/check", b'{"text": "bad \xff\xfe bytes"}')
check(st == 400, "invalid UTF-8: 400")
st, body = request("POST", "/v1/check", json.dumps({"text": "x " * 200000}))
check(st == 413 and body["error"]["code"] == 413, "body over the limit: 413")
st, body = request("GET", "/nowhere")
check(st == 404, "unknown path: 404")
st, body = request("POST", "/v1/check", json.dumps({"text": "...."}))
check(st == 200 and body["status"] == "empty", "no words: status empty")

# ---- hostility while clients work --------------------------------------------------------
rss_before = rss_kib()
stop = threading.Event()
errors = []
latencies = []


def client(k):
    n = 0
    while not stop.is_set() and n < (200 if full else 40):
        d = docs[(k * 37 + n) % len(docs)]
        try:
            t = time.monotonic()
            st, body = request("POST", "/v1/check", json.dumps(d))
            latencies.append(time.monotonic() - t)
            if st != 200:
                errors.append(f"status {st}")
        except Exception as e:  # noqa: BLE001 - every failure counts
            errors.append(repr(e))
        n += 1


def adder():
    for i in range(20 if full else 5):
        batch = [{"id": f"a{i}-{j}", "text": docs[(i * 10 + j) % len(docs)]["text"] + f" tail {i} {j}"}
                 for j in range(10)]
        try:
            st, body = request("POST", "/v1/add", json.dumps(batch))
            if st != 200:
                errors.append(f"add status {st}")
        except Exception as e:  # noqa: BLE001
            errors.append(repr(e))


def slow_sender():
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n")
    t = time.monotonic()
    closed = False
    try:
        for _ in range(40):
            s.sendall(b'{"te')
            time.sleep(0.25)
    except OSError:
        closed = True
    s.close()
    # the server gives up on it within its timeout (2 s) plus a little
    check(closed and time.monotonic() - t < 8, "slow sender cut off")


def disconnect_mid_request(k):
    s = socket.create_connection(("127.0.0.1", port))
    body = json.dumps(docs[k]).encode()
    s.sendall(b"POST /v1/add HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body))
    s.sendall(body[: len(body) // 2])
    s.close()


def garbage():
    for payload in (b"\x00\x01\x02 nonsense\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                    b"POST /v1/check HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
                    b"POST /v1/check HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n"):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(payload)
            s.recv(1024)
            s.close()
        except OSError:
            pass


idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(50)]
threads = [threading.Thread(target=client, args=(k,)) for k in range(16 if full else 8)]
threads += [threading.Thread(target=adder), threading.Thread(target=slow_sender),
            threading.Thread(target=garbage)]
threads += [threading.Thread(target=disconnect_mid_request, args=(k,)) for k in range(20)]
t0 = time.monotonic()
for t in threads:
    t.start()
for t in threads:
    t.join(timeout=60)
stop.set()
for s in idle:
    s.close()
elapsed = time.monotonic() - t0
check(not errors, f"concurrent clients: {len(errors)} errors {errors[:3]}")
check(all(not t.is_alive() for t in threads), "every client finished within 60 s")
check(proc.poll() is None, "server alive after the hostility")
st, body = request("GET", "/healthz")
check(st == 200, "healthz after the hostility")
rss_after = rss_kib()
check(rss_after < rss_before + 200 * 1024, f"memory bounded: {rss_before} -> {rss_after} KiB")

# ---- every committed document is still there ---------------------------------------------
missing = [d for d in [f"h{i}" for i in range(5)] + [f"a{i}-{j}" for i in range(5) for j in range(10)]
           if request("GET", "/v1/doc/" + d)[0] != 200]
check(not missing, f"committed documents present ({len(missing)} missing)")
added_mid = sum(1 for k in range(20) if request("GET", f"/v1/doc/{docs[k]['id']}")[0] == 200)
check(added_mid == 20, "the indexed documents answered")  # all of docs were indexed before

# ---- SIGTERM lets a request in flight finish -----------------------------------------------
# The request is in flight: its body half sent when the signal comes.
body = json.dumps(docs[:40]).encode()
s = socket.create_connection(("127.0.0.1", port), timeout=30)
s.sendall(b"POST /v1/check HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
          b"Content-Length: %d\r\n\r\n" % len(body))
s.sendall(body[: len(body) // 2])
time.sleep(0.3)
proc.send_signal(signal.SIGTERM)
time.sleep(0.3)
s.sendall(body[len(body) // 2:])
reply = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    reply += chunk
s.close()
head, _, payload = reply.partition(b"\r\n\r\n")
result = {}
try:
    result["r"] = (int(head.split()[1]), json.loads(payload))
except Exception as e:  # noqa: BLE001
    result["e"] = repr(e) + repr(reply[:200])
rc = proc.wait(timeout=30)
check(rc == 0, f"exit status after SIGTERM: {rc}")
check("r" in result and result["r"][0] == 200 and len(result["r"][1]) == 40,
      f"request in flight at SIGTERM answered ({result.get('e', '')} {str(result.get('r'))[:200]})")
lat = sorted(latencies)
p50 = lat[len(lat) // 2] * 1000 if lat else 0
p99 = lat[int(len(lat) * 0.99)] * 1000 if lat else 0
print(f"serve_hostile: {passes} passed, {len(fails)} failed; {len(lat)} checks under hostility "
      f"in {elapsed:.1f}s, p50 {p50:.1f} ms, p99 {p99:.1f} ms; RSS {rss_before} -> {rss_after} KiB")
sys.exit(1 if fails else 0)
