#!/usr/bin/env python3
"""Turns scripts/bench-storage.sh's results (one JSON object per line, written by
Benchmarks/Sources/StorageBenchmarks) into the tables of docs/benchmarks.md's storage writer section:
the group commit scenario per kind of client as a ratio to the fdatasync windows interleaved with it
and to one-row SQLite commits, and the fetch cost at depth. Replaces the text between the
bench-storage markers and prints it."""

import argparse
import importlib.util
import os
import statistics
import sys

BEGIN = "<!-- bench-storage:begin -->"
END = "<!-- bench-storage:end -->"

# The machine line, the loader and the marker replacement are bench.sh's report's own, so every
# section describes a run alike.
_spec = importlib.util.spec_from_file_location("bench_report", os.path.join(os.path.dirname(__file__), "bench-report.py"))
bench_report = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_report)


def histogram_percentile(histogram, q):
    """The upper bound (µs) of the 10 µs bucket that holds the q-th latency."""
    buckets = sorted((int(upper), count) for upper, count in histogram.items())
    total = sum(count for _, count in buckets)
    rank, seen = q * total, 0
    for upper, count in buckets:
        seen += count
        if seen >= rank:
            return upper
    return float("nan")


def merged(histograms):
    total = {}
    for histogram in histograms:
        for upper, count in histogram.items():
            total[upper] = total.get(upper, 0) + count
    return total


def report(results, raw):
    fsync_windows = [entry["rate"] for entry in results.get("fdatasync_window", [])]
    sqlite = statistics.median(entry["rate"] for entry in results["sqlite_commits"])
    fsync = statistics.median(fsync_windows)
    low, high = bench_report.quartiles(fsync_windows)
    rows = [
        "| scenario | median | vs fdatasync per write | vs SQLite 1-row commits |",
        "| --- | ---: | ---: | ---: |",
        f"| 4 KiB append + fdatasync, one thread (baseline; {len(fsync_windows)} windows of 0.5 s, "
        f"quartiles {low:,.0f}–{high:,.0f}/s) | {fsync:,.0f}/s | 1.00× | |",
        f"| SQLite WAL synchronous=FULL, one row per commit (baseline; median of "
        f"{len(results['sqlite_commits'])} × 0.5 s) | {sqlite:,.0f}/s | {sqlite / fsync:.1f}× | 1.00× |",
    ]
    kinds = []
    for entry in results.get("group_commit", []):
        if entry["kind"] not in kinds:
            kinds.append(entry["kind"])
    for kind in kinds:
        windows = [entry for entry in results["group_commit"] if entry["kind"] == kind]
        rates = [entry["rate"] for entry in windows]
        rate = statistics.median(rates)
        low, high = bench_report.quartiles(rates)
        latencies = merged(entry["latency_us_histogram"] for entry in windows)
        p50, p99 = histogram_percentile(latencies, 0.5) / 1000, histogram_percentile(latencies, 0.99) / 1000
        first = windows[0]
        bold = "**" if kind == "shared" else ""
        rows.append(
            f"| {first['clients']} clients × {first['message_bytes']} B to {first['partitions']} partition(s), each waiting "
            f"for its ack: {first['label']} ({len(windows)} windows of {first['seconds']:g} s) | {rate:,.0f} msg/s "
            f"(window quartiles {low:,.0f}–{high:,.0f}; p50 {p50:.2f} ms, p99 {p99:.2f} ms) "
            f"| {bold}{rate / fsync:.1f}×{bold} | {rate / sqlite:.1f}× |"
        )
    lines = [
        f"Run of {raw[len('docs/results/storage-'):-len('.jsonl')]} by `scripts/bench-storage.sh`: "
        f"{bench_report.machine()}. Raw results: [{raw}]({raw[len('docs/'):]}). Latency percentiles are "
        "over all windows of a row, to the 10 µs bucket the raw results keep (its upper bound).",
        "",
    ] + rows
    costs = results.get("fetch_cost", [])
    if costs:
        lines += [
            "",
            f"Fetch cost at depth: a partition of {costs[0]['messages']:,} messages (batches of 1,000), then "
            f"{costs[0]['fetches']} fetches of {costs[0]['fetch_bytes'] >> 20} MiB starting at each offset; medians:",
            "",
            "| fetch of 1 MiB starting at offset | median |",
            "| ---: | ---: |",
        ]
        lines += [f"| {cost['offset']:,} | {cost['median_us']:.0f} µs |" for cost in costs]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("results")
    parser.add_argument("document")
    parser.add_argument("--raw", required=True, help="the raw results' path from the repository root, for the link")
    args = parser.parse_args()
    by_mode = bench_report.load(args.results)
    if not by_mode.get("group_commit") or not by_mode.get("sqlite_commits"):
        sys.exit(f"{args.results} has no group_commit or sqlite_commits lines")
    table = report(by_mode, args.raw)
    print(table)
    bench_report.replace_between_markers(args.document, BEGIN, END, table)


if __name__ == "__main__":
    main()
