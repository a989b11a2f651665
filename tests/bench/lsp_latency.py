#!/usr/bin/env python3
"""Drives `cargo-pairlint lsp` over stdio as an editor would and times its answers.

    python3 tests/bench/lsp_latency.py SERVER CRATE_DIR FILE [EDITS]

initialize / initialized / didOpen FILE, wait for its publishDiagnostics (the first
lint: no debounce), then EDITS (default 20) full-text didChange notifications, each
appending a small function to FILE and followed by waiting for the publishDiagnostics
of that version. An edit's latency is the time from sending it to its diagnostics,
minus the server's 300 ms debounce. With PAIRLINT_TIMING=1 in the server's
environment it also prints the compute the server itself measured ("lsp" lines on
its stderr). Prints median and p90; see tests/bench/lsp_latency.sh.
"""
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

DEBOUNCE_MS = 300.0


class Server:
    def __init__(self, cmd, cwd):
        env = dict(os.environ, PAIRLINT_TIMING="1")
        self.proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env)
        self.totals = []  # the server's own "lsp" totals, in ms, in order
        self.stages = []  # the "lsp" and "crate" lines, for the stage breakdown
        self.lock = threading.Lock()
        threading.Thread(target=self._stderr, daemon=True).start()
        self.next_id = 0

    def _stderr(self):
        for raw in self.proc.stderr:
            line = raw.decode(errors="replace").rstrip()
            if line.startswith("pairlint timing: "):
                with self.lock:
                    self.stages.append(line[len("pairlint timing: "):])
                    if line.startswith("pairlint timing: lsp:"):
                        self.totals.append(float(line.rsplit("total ", 1)[1].split()[0]))
            else:
                print("server:", line, file=sys.stderr)

    def send(self, message):
        body = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def read(self):
        length = None
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("server closed its output")
            line = line.strip()
            if not line:
                break
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        return json.loads(self.proc.stdout.read(length))

    def request(self, method, params):
        self.next_id += 1
        rid = self.next_id
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        while True:
            message = self.read()
            if message.get("id") == rid and "method" not in message:
                return message

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait_diagnostics(self, uri, version):
        while True:
            message = self.read()
            if message.get("method") != "textDocument/publishDiagnostics":
                continue
            params = message["params"]
            if params["uri"] == uri and params.get("version") == version:
                return params["diagnostics"]

    def close(self):
        self.request("shutdown", None)
        self.notify("exit", None)
        self.proc.wait(timeout=30)


def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def summary(name, values):
    return f"{name}: median {statistics.median(values):.0f} ms, p90 {pct(values, 90):.0f} ms (n={len(values)})"


def main():
    server_bin, crate, file = sys.argv[1], Path(sys.argv[2]).resolve(), Path(sys.argv[3]).resolve()
    edits = int(sys.argv[4]) if len(sys.argv) > 4 else 20
    uri = file.as_uri()
    text = file.read_text()
    server = Server([server_bin, "lsp"], crate)
    server.request("initialize", {"processId": os.getpid(), "rootUri": crate.as_uri(),
                                  "capabilities": {"general": {"positionEncodings": ["utf-16"]}}})
    server.notify("initialized", {})
    started = time.monotonic()
    server.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "rust", "version": 0,
                                                            "text": text}})
    diagnostics = server.wait_diagnostics(uri, 0)
    first = (time.monotonic() - started) * 1000
    time.sleep(0.05)
    with server.lock:
        first_server = server.totals[-1] if server.totals else float("nan")
        first_stages = list(server.stages)
        server.stages.clear()
    print(f"first lint (didOpen, no debounce): {first:.0f} ms round trip, {first_server:.0f} ms server compute, "
          f"{len(diagnostics)} diagnostics on the file")
    for line in first_stages:
        print("  ", line)
    latencies, computes = [], []
    # A name no earlier run used, so no edit's text is in the cache already.
    run = time.time_ns()
    for i in range(1, edits + 1):
        text += f"\nfn pairlint_bench_{run}_{i}(v: &mut Vec<u64>) -> Option<u64> {{ v.pop() }}\n"
        with server.lock:
            seen = len(server.totals)
        sent = time.monotonic()
        server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": i},
                                                 "contentChanges": [{"text": text}]})
        server.wait_diagnostics(uri, i)
        latencies.append((time.monotonic() - sent) * 1000 - DEBOUNCE_MS)
        time.sleep(0.05)
        with server.lock:
            if len(server.totals) > seen:
                computes.append(server.totals[-1])
            last_stages = list(server.stages)
            server.stages.clear()
    print(summary("edit, round trip minus the 300 ms debounce", latencies))
    if computes:
        print(summary("edit, server compute (PAIRLINT_TIMING)", computes))
    print("last edit's stages:")
    for line in last_stages:
        print("  ", line)
    server.close()


if __name__ == "__main__":
    main()
