#!/usr/bin/env python3
"""Checks an installed semnav wheel as an agent meets it: the `semnav` that
the wheel put on a fresh virtual environment's PATH, on a machine where
semnav never ran (an empty cache), installs the model and ONNX Runtime on its
first run (indexing a small workspace), passes `doctor`, and serves MCP: the
first search, sent right after the handshake, finds a function by meaning.

Usage: wheel_check.py VENV    (exit 0 when everything holds; else the reason)
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path


def fail(msg):
    print(f"wheel check: {msg}", file=sys.stderr)
    sys.exit(1)


def main():
    venv = Path(sys.argv[1])
    semnav = venv / "bin" / "semnav"
    if not semnav.is_file():
        fail(f"the wheel put no semnav at {semnav}")
    version = subprocess.run([semnav, "--version"], capture_output=True, text=True)
    print(f"wheel check: {version.stdout.strip()} at {semnav}", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        (ws / "app").mkdir(parents=True)
        (ws / "app" / "uploads.py").write_text(
            "import time\n\n\ndef retry_failed_uploads(queue, attempts=3):\n"
            "    for job in queue:\n        for n in range(attempts):\n"
            "            if job.push():\n                break\n            time.sleep(2 ** n)\n")
        (ws / "app" / "money.py").write_text(
            "def sum_invoice_lines(lines):\n    return sum(l.price * l.qty for l in lines)\n")
        # A machine where semnav never ran: an empty cache, nothing named.
        env = {k: v for k, v in os.environ.items() if k not in ("SEMNAV_MODEL_DIR", "ORT_DYLIB_PATH", "SEMNAV_NO_PROVISION")}
        env.update(XDG_CACHE_HOME=str(Path(tmp) / "cache"), SEMNAV_INDEX_DIR=str(Path(tmp) / "index"), SEMNAV_THREADS="2")
        # The first run installs the model and ONNX Runtime by itself.
        indexed = subprocess.run([semnav, "index", str(ws)], capture_output=True, text=True, env=env)
        if indexed.returncode != 0 or "installing them now" not in indexed.stderr:
            fail(f"first run: exit {indexed.returncode}: {indexed.stderr.strip()}")
        doctor = subprocess.run([semnav, "doctor", "--json", str(ws)], capture_output=True, text=True, env=env)
        report = json.loads(doctor.stdout or "{}")
        bad = [c for c in report.get("checks", []) if c.get("state") == "error"]
        if doctor.returncode != 0 or bad:
            fail(f"doctor: exit {doctor.returncode}, {bad or doctor.stderr.strip()}")
        server = subprocess.Popen([semnav, "mcp", "--path", str(ws)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True, env=env)

        def send(message):
            server.stdin.write(json.dumps(message) + "\n")
            server.stdin.flush()

        def answer(want_id):
            for line in server.stdout:
                message = json.loads(line)
                if message.get("id") == want_id:
                    return message
            fail(f"the server closed its output before answering request {want_id}")

        send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "wheel-check", "version": "0"}}})
        init = answer(1)
        if init.get("result", {}).get("serverInfo", {}).get("name") != "semnav":
            fail(f"initialize: {init}")
        send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        # Sent at once: the first search waits for the index and the model.
        send({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
            "name": "search", "arguments": {"query": "try sending again after an error, with a growing pause", "limit": 2}}})
        result = answer(2).get("result", {})
        hits = (result.get("structuredContent") or {}).get("results", [])
        server.stdin.close()
        server.wait(timeout=30)
        if not hits or hits[0].get("name") != "retry_failed_uploads":
            fail(f"the first search by meaning did not find retry_failed_uploads first: {json.dumps(result)[:2000]}")
    print("wheel check: the first run installed the model, doctor passed, and semnav mcp found retry_failed_uploads by meaning", file=sys.stderr)


if __name__ == "__main__":
    main()
