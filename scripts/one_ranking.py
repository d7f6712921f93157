#!/usr/bin/env python3
"""Whether a longer result list begins with the shorter one: compares two
runs of semble's benchmark harness over the same queries, one with a small
`--limit` and one with a larger, and counts the queries whose first N
results differ, and those whose first result differs.

    python3 scripts/one_ranking.py RUN_LIMIT10.json RUN_LIMIT50.json [--first 10]

Input: the `--out` JSON of the harness (each query's returned `top`).
Exits 1 when any list differs, so it can gate a change to the ranking.
"""
import argparse
import json
import sys


def lists(path):
    with open(path, encoding="utf-8") as f:
        run = json.load(f)
    out = {}
    for repo in run["repos"]:
        for i, q in enumerate(repo.get("queries", [])):
            out[(repo["repo"], i, q["query"])] = q.get("top", [])
    return run.get("limit"), out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("short", help="the run with the smaller --limit")
    ap.add_argument("long", help="the run with the larger --limit")
    ap.add_argument("--first", type=int, default=10, help="how many first results must agree (default 10)")
    args = ap.parse_args()
    (short_limit, short), (long_limit, long) = lists(args.short), lists(args.long)
    shared = sorted(set(short) & set(long))
    if not shared:
        sys.exit("the two runs share no query")
    n = args.first
    lists_differ = [k for k in shared if short[k][:n] != long[k][:n]]
    firsts_differ = [k for k in shared if short[k][:1] != long[k][:1]]
    print(f"limit {short_limit} vs {long_limit}, {len(shared)} queries in both runs")
    print(f"  first {n} results differ: {len(lists_differ)}")
    print(f"  first result differs:    {len(firsts_differ)}")
    for repo, _, query in lists_differ[:10]:
        print(f"    {repo}: {query}")
    sys.exit(1 if lists_differ else 0)


if __name__ == "__main__":
    main()
