#!/usr/bin/env python3
"""How many tokens an agent reads to reach the first relevant file: semnav's
`search` (as the MCP tool prints it) versus grep and reading files whole.

Input: the `--out` JSON of semble's benchmark harness after a semnav run (each
query's top hits, its labelled target files, the directory searched). For
each query:

* semnav: the MCP `search` text of its hits, in order, up to and including the
  first hit in a target file: a header line (`path:start-end kind name score`)
  and the hit's first `--max-lines` lines (the tool's default is 20). A query
  with no target file in the top 10 counts all ten hits.
* grep: the agent greps for the query's words (3+ letters, common words
  dropped) and reads whole files, most distinct words matched first (then
  most matches), until it has read a target file. It reads the list grep
  printed too. A query no file matches counts the list only; a query whose
  targets grep never lists counts every listed file.

Tokens are estimated as characters / 4 for both. Prints the totals, the
median per query and the share of queries each side reached a target file.
"""
import argparse
import json
import os
import re
import statistics
import sys

STOP = set("the a an of to in on for and or is are be by with as at it its this that from if how what when where which does do into via".split())
SOURCE = re.compile(r"\.(py|rs|go|c|h|cc|cpp|hpp|java|js|ts|tsx|jsx|mjs|kt|kts|scala|swift|rb|php|cs|ex|exs|hs|lua|sh|bash|zig|md)$")


def tokens(text: str) -> int:
    return (len(text) + 3) // 4


def read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def semnav_tokens(bench: str, q: dict, targets: set, max_lines: int) -> tuple[int, bool]:
    total = 0
    for hit in q["top"]:
        rel, span = hit.rsplit(":", 1)
        start, end = (int(x) for x in span.split("-"))
        lines = read(os.path.join(bench, rel)).splitlines()[start - 1:end]
        shown = "\n".join(lines[:max_lines])
        total += tokens(f"{hit} function name 0.000\n```\n{shown}\n```\n")
        if os.path.normpath(os.path.join(bench, rel)) in targets:
            return total, True
    return total, False


def grep_tokens(files: dict, q: dict, targets: set) -> tuple[int, bool]:
    words = {w for w in re.findall(r"[a-z0-9_]+", q["query"].lower()) if len(w) >= 3 and w not in STOP}
    ranked = []
    for path, text in files.items():
        low = text.lower()
        hits = [low.count(w) for w in words]
        distinct = sum(1 for h in hits if h)
        if distinct:
            ranked.append((-distinct, -sum(hits), path))
    ranked.sort()
    total = tokens("\n".join(p for _, _, p in ranked))
    for _, _, path in ranked:
        total += tokens(files[path])
        if path in targets:
            return total, True
    return total, False


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("run", help="the harness's --out JSON of a semnav run")
    ap.add_argument("--repos-dir", required=True, help="where the harness's repos are (its --repos-dir)")
    ap.add_argument("--max-lines", type=int, default=20)
    args = ap.parse_args()
    run = json.load(open(args.run))
    rows = []
    for repo in run["repos"]:
        if "queries" not in repo:
            continue
        bench = repo["benchmark_dir"]
        root = os.path.join(args.repos_dir, repo["repo"])
        files = {}
        for dirpath, dirnames, names in os.walk(bench):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            for n in names:
                p = os.path.join(dirpath, n)
                if SOURCE.search(n) and os.path.getsize(p) <= 1_000_000:
                    files[os.path.normpath(p)] = read(p)
        for q in repo["queries"]:
            targets = {os.path.normpath(os.path.join(root, t.split(":")[0])) for t in q["targets"]}
            s, s_found = semnav_tokens(bench, q, targets, args.max_lines)
            g, g_found = grep_tokens(files, q, targets)
            rows.append((s, s_found, g, g_found))
    if not rows:
        sys.exit("no queries in the run")
    s_total, g_total = sum(r[0] for r in rows), sum(r[2] for r in rows)
    print(f"queries: {len(rows)} over {sum(1 for r in run['repos'] if 'queries' in r)} repos")
    print(f"semnav search: {s_total:,} tokens in all, median {statistics.median(r[0] for r in rows):,.0f} a query, target file reached in {sum(r[1] for r in rows) / len(rows):.1%}")
    print(f"grep + read:   {g_total:,} tokens in all, median {statistics.median(r[2] for r in rows):,.0f} a query, target file reached in {sum(r[3] for r in rows) / len(rows):.1%}")
    print(f"semnav reads {1 - s_total / g_total:.1%} fewer tokens in all")


if __name__ == "__main__":
    main()
