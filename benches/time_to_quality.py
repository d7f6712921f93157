#!/usr/bin/env python3
"""Time to quality: how good `semnav mcp`'s answers are N seconds after it starts
on a repository it has never seen.

What it measures. For each repository of semble's code-search benchmark given
(`--repo`, names from the development split) and each binary given
(`--cmd LABEL=PATH`), it starts `PATH mcp` in the benchmark's directory of
that repository (checkout + `benchmark_root`, as the harness's run.py
computes it) with an empty cache: `XDG_CACHE_HOME` is a fresh temporary
folder (so the index starts from nothing), the model and ONNX Runtime come
from the installed ones (`SEMNAV_MODEL_DIR`, `ORT_DYLIB_PATH`), and
`SEMNAV_NO_PROVISION=1`. It then speaks MCP to it over stdio as an agent
would (newline-delimited JSON-RPC: `initialize` with protocol 2025-06-18,
`notifications/initialized`, `tools/list`, then `tools/call`), and asks all
of the repository's benchmark queries (`search`, limit 10) in rounds that
start at t = 1, 5, 15, 30 and 60 s after the process started (or as soon as
the previous round ended, whichever is later; the actual start is recorded),
then once more when the `status` tool says indexing is done (polled every
2 s, at most `--max-seconds`). Each round is scored with the harness's own
scoring (chunk-level NDCG@10, `run.py`'s `score_repo`).

Per repository and binary it reports: NDCG@10 of each round and when the
round started, when the first answer came back (the first hit list, even an
empty one), when `status` first said indexing was done, and the CPU time of
the server process (utime + stime from /proc, its waited-for children and
any live descendants included) at the end; then the mean over repositories
per binary and round. The binaries of one repository run one after the
other, never at once. Everything, per query, goes to `--out`.

Needs semble's benchmark set up as the harness's README says (bench-semble,
kept with the project's benchmark data in ../shared/bench-semble: prepare.py
into /tmp/semble-bench/repos-dev and data-dev) and its venv (numpy); the
harness's run.py and common.py are imported from `--bench-dir`, never copied.
Without `--path`, `semnav mcp` takes as its root the folder it is started in
(no index or git work tree holds the benchmark's trees); the bench checks
that `status` names the benchmark dir as the root.

    /tmp/semble-bench/venv/bin/python benches/time_to_quality.py \\
        --cmd before=/tmp/semnav-base/semnav --cmd after=target/release/semnav \\
        --repo click --repo chi --out /tmp/semble-bench/runs/ttq.json

`--cmd` takes `LABEL=PATH [ARGS...]` (shell words; ARGS go after `mcp`, e.g.
`--model NAME`); `--env LABEL:NAME=VALUE` adds to one binary's environment;
`--model-dir ''` / `--ort-dylib ''` leave those variables unset so that the
binary finds its defaults (the installed models and runtime are linked into
the fresh cache).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import os
import queue
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
PROTOCOL = "2025-06-18"
DEFAULT_ROUNDS = "1,5,15,30,60"
ORIG_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
DEFAULT_MODEL_DIR = ORIG_CACHE / "semnav" / "models" / "all-MiniLM-L6-v2-int8"
DEFAULT_ORT = ORIG_CACHE / "semnav" / "runtime" / "onnxruntime-1.31.1" / "libonnxruntime.so.1.31.1"


# --------------------------------------------------------------------------
# The benchmark harness (imported, not copied)
# --------------------------------------------------------------------------


def load_harness(bench_dir: Path):
    """Imports bench-semble's `common` and `run` modules from `bench_dir`."""
    if not (bench_dir / "run.py").is_file() or not (bench_dir / "common.py").is_file():
        sys.exit(f"no bench-semble harness (run.py, common.py) in {bench_dir}; pass --bench-dir")
    sys.path.insert(0, str(bench_dir))
    return importlib.import_module("common"), importlib.import_module("run")


# --------------------------------------------------------------------------
# /proc readings
# --------------------------------------------------------------------------

CLK_TCK = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Fields after the command name, which may hold spaces: [0] is field 3 (state).
    return raw[raw.rindex(")") + 2:].split()


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            f = _stat_fields(int(entry))
            if f:
                children.setdefault(int(f[1]), []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def cpu_seconds(pid: int) -> dict | None:
    """utime + stime of `pid` (all its threads), of its waited-for children
    (cutime + cstime) and of its live descendants, in seconds."""
    f = _stat_fields(pid)
    if f is None:
        return None
    own_user, own_sys, c_user, c_sys = (int(x) / CLK_TCK for x in f[11:15])
    live = 0.0
    for d in _descendants(pid):
        g = _stat_fields(d)
        if g:
            live += (int(g[11]) + int(g[12])) / CLK_TCK
    return {
        "user_s": own_user,
        "sys_s": own_sys,
        "children_s": c_user + c_sys + live,
        "total_s": own_user + own_sys + c_user + c_sys + live,
    }


def peak_rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


# --------------------------------------------------------------------------
# A minimal MCP client over stdio
# --------------------------------------------------------------------------


class McpError(RuntimeError):
    pass


class McpClient:
    """Newline-delimited JSON-RPC 2.0 to a server on stdin/stdout.

    Requests are sent one at a time. Requests from the server (`roots/list`,
    `ping`) are answered while waiting; notifications are kept with their time.
    """

    def __init__(self, argv: list[str], cwd: Path, env: dict[str, str], stderr_path: Path):
        self.stderr_path = stderr_path
        self._stderr = open(stderr_path, "wb")
        self.cwd = cwd
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._stderr)
        self._next_id = 0
        self._inbox: queue.Queue = queue.Queue()
        self.notifications: list[dict] = []
        self.protocol_errors: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def now(self) -> float:
        """Seconds since the process was started."""
        return time.monotonic() - self.t0

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._inbox.put((self.now(), line))
        self._inbox.put((self.now(), None))

    def _send(self, msg: dict) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write((json.dumps(msg) + "\n").encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as e:
            raise McpError(f"cannot write to the server: {e}; {self.stderr_tail()}") from e

    def stderr_tail(self, n: int = 600) -> str:
        try:
            if not self._stderr.closed:
                self._stderr.flush()
            return self.stderr_path.read_bytes()[-n:].decode(errors="replace").strip()
        except OSError:
            return ""

    def notify(self, method: str, params: dict | None = None) -> None:
        msg: dict = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            msg["params"] = params
        self._send(msg)

    def _answer_server_request(self, msg: dict) -> None:
        method = msg.get("method")
        if method == "roots/list":
            self._send({"jsonrpc": "2.0", "id": msg["id"],
                        "result": {"roots": [{"uri": self.cwd.as_uri(), "name": self.cwd.name}]}})
        elif method == "ping":
            self._send({"jsonrpc": "2.0", "id": msg["id"], "result": {}})
        else:
            self._send({"jsonrpc": "2.0", "id": msg["id"],
                        "error": {"code": -32601, "message": f"method not found: {method}"}})

    def request(self, method: str, params: dict | None, timeout: float) -> tuple[dict, float]:
        """Sends a request and returns (its result, the time the answer came)."""
        self._next_id += 1
        rid = self._next_id
        msg: dict = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            msg["params"] = params
        self._send(msg)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise McpError(f"no answer to {method} within {timeout:.0f} s")
            try:
                at, line = self._inbox.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                rc = self.proc.wait(timeout=5)
                raise McpError(f"the server closed stdout (exit {rc}) while answering {method}; {self.stderr_tail()}")
            try:
                got = json.loads(line)
            except json.JSONDecodeError:
                self.protocol_errors.append(f"not JSON on stdout at {at:.2f}s: {line[:120]!r}")
                continue
            if "method" in got and "id" in got:
                self._answer_server_request(got)
            elif "method" in got:
                self.notifications.append({"t": round(at, 3), "method": got["method"], "params": got.get("params")})
            elif got.get("id") == rid:
                if "error" in got:
                    raise McpError(f"{method}: JSON-RPC error {got['error']}")
                return got.get("result") or {}, at
            else:
                self.protocol_errors.append(f"unexpected message at {at:.2f}s: {line[:120]!r}")

    def call_tool(self, name: str, arguments: dict, timeout: float) -> tuple[dict, float]:
        return self.request("tools/call", {"name": name, "arguments": arguments}, timeout)

    def close(self) -> int | None:
        """Closes stdin (the end of the session) and waits; kills a server that lingers."""
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
        except OSError:
            pass
        try:
            rc = self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            try:
                rc = self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                rc = self.proc.wait()
        self._stderr.close()
        return rc


def texts(result: dict) -> list[str]:
    return [c.get("text", "") for c in result.get("content") or [] if c.get("type") == "text"]


# --------------------------------------------------------------------------
# One binary on one repository
# --------------------------------------------------------------------------


def status_done(sc: dict) -> bool:
    """`status` says indexing is done: nothing running, no root loading."""
    return sc.get("indexing") is False and not sc.get("loading")


def server_env(cache: Path, args, extra: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("SEMNAV_INDEX_DIR", None)  # would bypass the fresh cache
    env["XDG_CACHE_HOME"] = str(cache)
    env["SEMNAV_NO_PROVISION"] = "1"
    for name, value in (("SEMNAV_MODEL_DIR", args.model_dir), ("ORT_DYLIB_PATH", args.ort_dylib)):
        if value:
            env[name] = value
        else:
            env.pop(name, None)
    env.update(extra)
    return env


def fresh_cache(tmp_root: Path) -> Path:
    """An empty XDG cache holding links to the installed models and runtime only."""
    cache = Path(tempfile.mkdtemp(prefix="cache-", dir=tmp_root))
    (cache / "semnav").mkdir()
    for part in ("models", "runtime"):
        src = ORIG_CACHE / "semnav" / part
        if src.is_dir():
            (cache / "semnav" / part).symlink_to(src)
    return cache


def ask_round(client: McpClient, name: str, tasks, bench_dir: Path, harness_run, args, scheduled: float | None) -> dict:
    """All of the repo's queries once; scored as run.py scores them."""
    started = client.now()
    cpu_before = cpu_seconds(client.proc.pid)
    raws: list[list[dict]] = []
    per_query: list[dict] = []
    first_answer_at = None
    for task in tasks:
        q0 = client.now()
        result, at = client.call_tool("search", {"query": task.query, "limit": args.limit}, args.request_timeout)
        if first_answer_at is None:
            first_answer_at = at
        blocks = texts(result)
        rec: dict = {"latency_ms": round((at - q0) * 1000, 2)}
        if result.get("isError"):
            rec["error"] = " ".join(blocks)[:300]
            hits = []
        else:
            sc = result.get("structuredContent") or {}
            hits = list(sc.get("results") or [])
            if sc.get("query") not in (None, task.query):
                rec["query_mismatch"] = sc.get("query")
            rec["notes"] = blocks[1:]  # the first block is the hits' text, notes follow
        rec["n_hits"] = len(hits)
        raws.append(hits)
        per_query.append(rec)
    ended = client.now()
    scored = harness_run.score_repo(tasks, bench_dir, raws, args.limit)
    for rec, q in zip(per_query, scored["queries"]):
        q.update(rec)
    notes: dict[str, int] = {}
    for rec in per_query:
        for n in rec.get("notes", []):
            notes[n] = notes.get(n, 0) + 1
    lat = [r["latency_ms"] for r in per_query]
    return {
        "round": name,
        "scheduled_s": scheduled,
        "start_s": round(started, 3),
        "end_s": round(ended, 3),
        "first_answer_s": round(first_answer_at, 3) if first_answer_at is not None else None,
        "ndcg10": scored["chunk"]["ndcg10"],
        "file_ndcg10": scored["file"]["ndcg10"],
        "by_category": scored["chunk"]["by_category"],
        "n_empty": sum(1 for r in per_query if r["n_hits"] == 0),
        "n_errors": sum(1 for r in per_query if "error" in r),
        "notes": notes,
        "latency_ms_p50": statistics.median(lat) if lat else None,
        "latency_ms_max": max(lat) if lat else None,
        "cpu_at_start_s": round(cpu_before["total_s"], 2) if cpu_before else None,
        "queries": scored["queries"],
    }


def run_one(label: str, argv: list[str], extra_env: dict[str, str], bench_dir: Path, tasks,
            harness_run, args, rounds: list[float], tmp_root: Path) -> dict:
    cache = fresh_cache(tmp_root)
    env = server_env(cache, args, extra_env)
    entry: dict = {
        "label": label,
        "argv": [*argv[:1], "mcp", *argv[1:]],
        "env": {k: v for k, v in env.items() if k.startswith("SEMNAV_") or k in ("XDG_CACHE_HOME", "ORT_DYLIB_PATH")},
        "loadavg_at_start": os.getloadavg(),
        "rounds": [],
        "status_polls": [],
    }
    client = McpClient([argv[0], "mcp", *argv[1:]], bench_dir, env, cache / "stderr.log")
    last_poll = [float("-inf")]

    def poll_status() -> dict:
        result, at = client.call_tool("status", {}, args.request_timeout)
        sc = result.get("structuredContent") or {}
        last_poll[0] = at
        entry["status_polls"].append({k: sc.get(k) for k in ("files", "chunks", "pendingEmbeddings", "indexing", "loading")}
                                     | {"t": round(at, 3)})
        if "indexing_done_s" not in entry and status_done(sc):
            entry["indexing_done_s"] = round(at, 3)
            entry["status_at_done"] = sc
        return sc

    def wait_until(t: float) -> None:
        """Sleeps until t, polling `status` every --poll seconds until it says done."""
        while client.now() < t:
            if "indexing_done_s" not in entry and client.now() - last_poll[0] >= args.poll:
                poll_status()
                continue
            nxt = t if "indexing_done_s" in entry else min(t, last_poll[0] + args.poll)
            time.sleep(max(0.0, min(nxt - client.now(), 0.5)))

    try:
        init, at = client.request("initialize", {
            "protocolVersion": PROTOCOL,
            "capabilities": {"roots": {"listChanged": False}},
            "clientInfo": {"name": "semnav-time-to-quality", "version": "1"},
        }, args.request_timeout)
        entry["initialize_s"] = round(at, 3)
        entry["server_info"] = init.get("serverInfo")
        entry["protocol"] = init.get("protocolVersion")
        client.notify("notifications/initialized")
        tools, _ = client.request("tools/list", {}, args.request_timeout)
        by_name = {t["name"]: t for t in tools.get("tools", [])}
        if "search" not in by_name or "status" not in by_name:
            raise McpError(f"the server lacks the search or status tool: {sorted(by_name)}")
        schema = by_name["search"].get("inputSchema") or {}
        entry["search_schema"] = schema
        props = schema.get("properties") or {}
        if "query" not in props or "limit" not in props:
            raise McpError(f"search takes no query or limit: {sorted(props)}")
        sc = poll_status()
        root = sc.get("root")
        if root is None or Path(root).resolve() != bench_dir.resolve():
            raise McpError(f"the server's root is {root}, not the benchmark dir {bench_dir}")
        for t in rounds:
            if t > args.max_seconds:
                break
            wait_until(t)
            entry["rounds"].append(ask_round(client, f"t={t:g}", tasks, bench_dir, harness_run, args, t)
                                   | {"status_before": entry["status_polls"][-1]})
        while "indexing_done_s" not in entry and client.now() < args.max_seconds:
            wait_until(min(args.max_seconds, client.now() + args.poll))
        final = "done" if "indexing_done_s" in entry else "cap"
        entry["rounds"].append(ask_round(client, final, tasks, bench_dir, harness_run, args, None)
                               | {"status_before": entry["status_polls"][-1]})
        entry["status_end"] = poll_status()
        entry["first_answer_s"] = entry["rounds"][0]["first_answer_s"]
        entry["cpu_end"] = cpu_seconds(client.proc.pid)
        entry["peak_rss_mib"] = peak_rss_mib(client.proc.pid)
        entry["wall_s"] = round(client.now(), 3)
    except McpError as e:
        entry["error"] = str(e)
    finally:
        entry["exit_code"] = client.close()
        entry["notifications"] = client.notifications
        entry["protocol_errors"] = client.protocol_errors
        entry["stderr_tail"] = client.stderr_tail(2000)
        if not args.keep_caches:
            shutil.rmtree(cache, ignore_errors=True)
        else:
            entry["cache"] = str(cache)
    return entry


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------


def _f(x, fmt: str = "{:.3f}", width: int = 6) -> str:
    return (fmt.format(x) if isinstance(x, (int, float)) and x == x else "-").rjust(width)


def report(run: dict, round_names: list[str]) -> str:
    cols = round_names + ["done"]
    head = f"{'repo':14s} {'label':10s} {'first':>6s} {'indexed':>7s} {'cpu_s':>6s} " + " ".join(f"{c:>7s}" for c in cols)
    lines = ["NDCG@10 (chunk level) per round; under it the round's actual start (s after the server started).",
             "first: first answer (s); indexed: `status` first said indexing done (s); cpu_s: server CPU time at the end.",
             "'done' is the round asked once indexing was done ('cap' if --max-seconds came first).", "", head]
    for r in run["repos"]:
        for e in r["runs"]:
            if "error" in e:
                lines.append(f"{r['repo']:14s} {e['label']:10s} ERROR {e['error'][:200]}")
                continue
            by = {x["round"] if x["round"] != "cap" else "done": x for x in e["rounds"]}
            cpu = (e.get("cpu_end") or {}).get("total_s")
            lines.append(f"{r['repo']:14s} {e['label']:10s} {_f(e.get('first_answer_s'), '{:.2f}')} "
                         f"{_f(e.get('indexing_done_s'), '{:.1f}', 7)} {_f(cpu, '{:.1f}')} "
                         + " ".join(_f(by[c]['ndcg10'] if c in by else None, '{:.4f}', 7) for c in cols)
                         + ("  (cap: not done by --max-seconds)" if e["rounds"] and e["rounds"][-1]["round"] == "cap" else ""))
            lines.append(f"{'':14s} {'':10s} {'':6s} {'':7s} {'':6s} "
                         + " ".join(_f(by[c]['start_s'] if c in by else None, '{:.1f}s', 7) for c in cols))
    lines.append("")
    labels = list(dict.fromkeys(e["label"] for r in run["repos"] for e in r["runs"]))
    lines.append(f"mean over repos ({len(run['repos'])}):")
    lines.append(head.replace("repo          ", "              "))
    for label in labels:
        ok = [e for r in run["repos"] for e in r["runs"] if e["label"] == label and "error" not in e]
        if not ok:
            continue
        cells = []
        for c in cols:
            vals = [x["ndcg10"] for e in ok for x in e["rounds"] if (x["round"] if x["round"] != "cap" else "done") == c]
            cells.append(_f(statistics.mean(vals) if len(vals) == len(ok) else None, "{:.4f}", 7))
        def m(key):
            vals = [e.get(key) for e in ok if e.get(key) is not None]
            return statistics.mean(vals) if len(vals) == len(ok) else None
        cpu = [(e.get("cpu_end") or {}).get("total_s") for e in ok]
        lines.append(f"{'':14s} {label:10s} {_f(m('first_answer_s'), '{:.2f}')} {_f(m('indexing_done_s'), '{:.1f}', 7)} "
                     f"{_f(statistics.mean(cpu) if None not in cpu else None, '{:.1f}')} " + " ".join(cells))
    # What the answers said while they were not final, and answers that were empty or errors.
    seen: dict[str, list[int]] = {}
    bad = []
    for r in run["repos"]:
        for e in r["runs"]:
            for x in e.get("rounds", []):
                for n, k in x["notes"].items():
                    seen.setdefault(n, [0, 0])
                    seen[n][0] += k
                    seen[n][1] += 1
                if x["n_empty"] or x["n_errors"]:
                    notes = "; ".join(f"{n} x{k}" for n, k in x["notes"].items())
                    bad.append(f"  {r['repo']} {e['label']} {x['round']} @{x['start_s']:.1f}s: "
                               f"{x['n_empty']} empty, {x['n_errors']} errors{'; ' + notes if notes else ''}")
    if seen:
        lines += ["", "notes the answers carried (answers, rounds):"]
        lines += [f"  {n!r}: {k} answers in {m} rounds" for n, (k, m) in seen.items()]
    if bad:
        lines += ["", "rounds with empty hit lists or errors:"] + bad
    return "\n".join(lines)


# --------------------------------------------------------------------------


def parse_cmds(values: list[str]) -> list[tuple[str, list[str]]]:
    out = []
    for v in values:
        label, sep, rest = v.partition("=")
        words = shlex.split(rest)
        if not sep or not label or not words:
            sys.exit(f"--cmd wants LABEL=PATH [ARGS...], got {v!r}")
        binary = Path(words[0]).expanduser()
        if not binary.is_absolute():
            binary = (Path.cwd() / binary).resolve()
        if not os.access(binary, os.X_OK):
            sys.exit(f"--cmd {label}: {binary} is not an executable")
        out.append((label, [str(binary), *words[1:]]))
    if len({label for label, _ in out}) != len(out):
        sys.exit("--cmd labels must differ")
    return out


def parse_envs(values: list[str], labels: set[str]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for v in values:
        label, sep, kv = v.partition(":")
        name, eq, value = kv.partition("=")
        if not sep or not eq or label not in labels or not name:
            sys.exit(f"--env wants LABEL:NAME=VALUE with a LABEL of --cmd, got {v!r}")
        out.setdefault(label, {})[name] = value
    return out


def binary_info(path: str) -> dict:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    st = os.stat(path)
    return {"path": path, "sha256": h.hexdigest(), "bytes": st.st_size,
            "mtime": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(st.st_mtime))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cmd", action="append", required=True, metavar="LABEL=PATH",
                    help="a semnav binary to measure, as LABEL=PATH [ARGS after `mcp`] (repeatable)")
    ap.add_argument("--env", action="append", default=[], metavar="LABEL:NAME=VALUE",
                    help="extra environment for one --cmd (repeatable)")
    ap.add_argument("--repo", action="append", default=[], help="benchmark repo name (repeatable)")
    ap.add_argument("--subset", help="file with repo names, one per line (e.g. dev-split.txt)")
    ap.add_argument("--repos-dir", default="/tmp/semble-bench/repos-dev")
    ap.add_argument("--data-dir", default="/tmp/semble-bench/data-dev")
    ap.add_argument("--bench-dir", default=str(REPO_ROOT.parent / "shared" / "bench-semble"),
                    help="the bench-semble harness (run.py, common.py); default ../shared/bench-semble")
    ap.add_argument("--rounds", default=DEFAULT_ROUNDS, help=f"seconds after start of the rounds (default {DEFAULT_ROUNDS})")
    ap.add_argument("--poll", type=float, default=2.0, help="seconds between `status` polls until done (default 2)")
    ap.add_argument("--max-seconds", type=float, default=900.0,
                    help="give up waiting for indexing this long after start (default 900)")
    ap.add_argument("--limit", type=int, default=10, help="search limit and k of NDCG@k (default 10)")
    ap.add_argument("--request-timeout", type=float, default=120.0, help="seconds to wait for one MCP answer")
    ap.add_argument("--model-dir", default=str(DEFAULT_MODEL_DIR), help="SEMNAV_MODEL_DIR ('' leaves it unset)")
    ap.add_argument("--ort-dylib", default=str(DEFAULT_ORT), help="ORT_DYLIB_PATH ('' leaves it unset)")
    ap.add_argument("--keep-caches", action="store_true",
                    help="keep each run's cache (index, stderr.log) under a semnav-ttq-caches-* temporary folder")
    ap.add_argument("--out", help="write everything, per query, as JSON here")
    args = ap.parse_args()

    cmds = parse_cmds(args.cmd)
    envs = parse_envs(args.env, {label for label, _ in cmds})
    rounds = sorted(float(x) for x in args.rounds.split(",") if x.strip())
    for name, value in (("--model-dir", args.model_dir), ("--ort-dylib", args.ort_dylib)):
        if value and not Path(value).exists():
            print(f"warning: {name} {value} does not exist", file=sys.stderr)

    common, harness_run = load_harness(Path(args.bench_dir).resolve())
    data_dir, repos_dir = Path(args.data_dir), Path(args.repos_dir)
    specs = common.load_specs(data_dir)
    tasks = common.load_tasks(data_dir, specs)
    names = list(args.repo) + (common.read_name_list(args.subset) if args.subset else [])
    if not names:
        sys.exit("name at least one --repo (or --subset)")
    unknown = [n for n in names if n not in specs]
    if unknown:
        sys.exit(f"unknown repo(s): {unknown}")

    run: dict = {
        "what": "time to quality: chunk-level NDCG@10 of `semnav mcp` answers by time since start, fresh cache",
        "argv": sys.argv,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "rounds_s": rounds,
        "limit": args.limit,
        "poll_s": args.poll,
        "max_seconds": args.max_seconds,
        "bench_dir": str(Path(args.bench_dir).resolve()),
        "data_source": json.loads((data_dir / "SOURCE.json").read_text()) if (data_dir / "SOURCE.json").exists() else None,
        "binaries": {label: binary_info(argv[0]) | {"args": argv[1:]} for label, argv in cmds},
        "nproc": os.cpu_count(),
        "repos": [],
    }
    round_names = [f"t={t:g}" for t in rounds if t <= args.max_seconds]
    with tempfile.TemporaryDirectory(prefix="semnav-ttq-") as tmp:
        caches = Path(tempfile.mkdtemp(prefix="semnav-ttq-caches-")) if args.keep_caches else Path(tmp)
        for name in names:
            spec = specs[name]
            bench_dir = spec.benchmark_dir(repos_dir).resolve()
            if not bench_dir.is_dir():
                sys.exit(f"{name}: {bench_dir} missing (run bench-semble's prepare.py)")
            repo_tasks = [t for t in tasks if t.repo == name]
            r = {"repo": name, "language": spec.language, "benchmark_dir": str(bench_dir),
                 "n_queries": len(repo_tasks), "runs": []}
            for label, argv in cmds:  # one after the other, never at once
                print(f"{name}: {label} ...", file=sys.stderr, flush=True)
                e = run_one(label, argv, envs.get(label, {}), bench_dir, repo_tasks, harness_run, args,
                            rounds, caches)
                r["runs"].append(e)
                if "error" in e:
                    print(f"{name}: {label} ERROR {e['error']}", file=sys.stderr)
                else:
                    print(f"{name}: {label} first answer {e['first_answer_s']:.2f}s, indexed at "
                          f"{e.get('indexing_done_s', float('nan')):.1f}s, "
                          + ", ".join(f"{x['round']} {x['ndcg10']:.4f}@{x['start_s']:.1f}s" for x in e["rounds"]),
                          file=sys.stderr, flush=True)
            run["repos"].append(r)
    run["report"] = report(run, round_names)
    print(run["report"])
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(run, indent=1) + "\n", encoding="utf-8")
        print(f"\nfull results: {out}")


if __name__ == "__main__":
    main()
