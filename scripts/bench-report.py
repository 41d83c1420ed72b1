#!/usr/bin/env python3
"""Turns scripts/bench.sh's results (one JSON object per line) into the markdown table of
docs/benchmarks.md: medians over the runs, each scenario's ratio to the baselines of its own run,
and the targets next to the figures. Replaces the text between the bench.sh markers and prints it."""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys

BEGIN = "<!-- bench.sh:begin -->"
END = "<!-- bench.sh:end -->"


def load(path):
    by_mode = {}
    with open(path) as lines:
        for line in lines:
            if line.strip():
                entry = json.loads(line)
                by_mode.setdefault(entry["mode"], []).append(entry)
    return by_mode


def median(values):
    return statistics.median(values) if values else float("nan")


def command_output(*command):
    try:
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as info:
            model = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    swift = command_output("swift", "--version").splitlines()
    rdkafka = command_output("dpkg-query", "-W", "-f=${Version}", "librdkafka-dev")
    return (
        f"{os.cpu_count()} vCPU {model}, {platform.system()} {platform.release()}, "
        f"{swift[0] if swift else 'Swift'}, librdkafka {rdkafka}"
    )


def replace_between_markers(path, begin, end, text):
    """Writes `text` into the document at `path` in place of what stands between its `begin` and `end`
    markers (the markers stay), as every benchmark script keeps its table in docs/benchmarks.md."""
    with open(path) as document:
        content = document.read()
    if begin not in content or end not in content:
        sys.exit(f"{path} has no {begin} … {end} section to replace")
    before, rest = content.split(begin, 1)
    _, after = rest.split(end, 1)
    with open(path, "w") as document:
        document.write(before + begin + "\n" + text + "\n" + end + after)


def verdict(met):
    return "met" if met else "**missed**"


def histogram_quantile(q, before, after):
    """A quantile of what a Prometheus histogram counted between two scrapes, interpolated linearly
    within its bucket as Prometheus' histogram_quantile() does; with the bucket's upper bound."""
    bounds = sorted((float("inf") if le == "+Inf" else float(le), after[le] - before.get(le, 0)) for le in after)
    total = bounds[-1][1] if bounds else 0
    if total == 0:
        return float("nan"), float("nan")
    rank, lower, below = q * total, 0.0, 0
    for upper, count in bounds:
        if count >= rank:
            if upper == float("inf"):
                return lower, upper
            return lower + (upper - lower) * (rank - below) / max(count - below, 1), upper
        lower, below = upper, count
    return float("nan"), float("nan")


def quartiles(values):
    if len(values) < 2:
        return (values[0], values[0]) if values else (float("nan"), float("nan"))
    q = statistics.quantiles(values, n=4)
    return q[0], q[2]


def report(results, args):
    fsync = [entry["per_second"] for entry in results["baseline-fsync"]]
    sqlite = [entry["per_second"] for entry in results["baseline-sqlite"]]
    bulk = [entry["per_second"] for entry in results["baseline-sqlite-bulk"]]
    reads = [entry["per_second"] for entry in results.get("baseline-sqlite-read", [])]
    sync_lines = results["produce-sync"]
    sync = [entry for entry in sync_lines if entry.get("scenario", "a") == "a"]
    many = [entry for entry in sync_lines if entry.get("scenario") == "a100"]
    replicated = [entry for entry in sync_lines if entry.get("scenario") == "a-replicated"]
    batch = [entry for entry in results["produce-batch"] if "scenario" not in entry]
    plain = [entry for entry in results["produce-batch"] if entry.get("scenario") == "g"]
    transactional = results["produce-txn"]
    latency = results["txn-latency"]
    histograms = results["endtxn-histogram"]
    consume = results["consume"]
    idle = results["idle-cpu"]
    startup = results["startup"]
    loaded = results["loaded-memory"]
    recovery = results["first-ack"]

    def ratios(entries, key):
        return [entry[key] / base for entry, base in zip(entries, fsync)]

    def window_ratios(entries):
        """a and a100: against the fdatasync windows interleaved with the scenario's own windows when
        the run had them, else against the run's 3 s fdatasync baseline."""
        return [entry["messages_per_second"] / entry.get("fsync_per_second", base) for entry, base in zip(entries, fsync)]

    def null_ceiling(scenario):
        """The null broker's rate per run: the median of its runs right before and after Monolog."""
        by_run = {}
        for entry in sync_lines:
            if entry.get("scenario") == scenario:
                by_run.setdefault(entry["run"], []).append(entry)
        return {run: (median([e["messages_per_second"] for e in entries]), entries) for run, entries in sorted(by_run.items())}

    def null_ratios(entries, ceiling):
        return [entry["messages_per_second"] / ceiling[entry["run"]][0] for entry in entries
                if "run" in entry and entry["run"] in ceiling]

    def ratio_cell(values, digits=2, bold=False):
        if not values:
            return ""
        text = f"{median(values):.{digits}f}×"
        return f"**{text}**" if bold else text

    null10, null100 = null_ceiling("a-null"), null_ceiling("a100-null")
    interleaved = [rate for entry in sync + many for rate in entry.get("fsync_window_rates", [])]

    def sqlite_ratios(entries, key):
        return [entry[key] / base for entry, base in zip(entries, sqlite)]

    def bulk_ratios(entries, key):
        return [entry[key] / base for entry, base in zip(entries, bulk)]

    plain_rate = median([entry["messages_per_second"] for entry in plain])
    txn_rate = median([entry["messages_per_second"] for entry in transactional])
    txn_ratio = median([t["messages_per_second"] / p["messages_per_second"] for t, p in zip(transactional, plain)])
    endtxn = [
        (histogram_quantile(0.50, h["before"], h["after"]), histogram_quantile(0.99, h["before"], h["after"]))
        for h in histograms
    ]
    endtxn_p50 = median([1000 * p50[0] for p50, _ in endtxn])
    endtxn_p99 = median([1000 * p99[0] for _, p99 in endtxn])
    endtxn_p99_bucket = median([1000 * p99[1] for _, p99 in endtxn])
    endtxn_count = median([h["after"].get("+Inf", 0) - h["before"].get("+Inf", 0) for h in histograms])
    client_p50 = median([entry["client_commit_p50_ms"] for entry in latency])
    client_p99 = median([entry["client_commit_p99_ms"] for entry in latency])
    txn_per_second = median([entry["transactions_per_second"] for entry in latency])

    sync_rate = median([entry["messages_per_second"] for entry in sync])
    sync_ratio = median(window_ratios(sync))
    sync_p99 = median([entry["p99_ms"] for entry in sync])
    batch_rate = median([entry["messages_per_second"] for entry in batch])
    batch_mb = median([entry["megabytes_per_second"] for entry in batch])
    consume_rate = median([entry["messages_per_second"] for entry in consume])
    consume_mb = median([entry["megabytes_per_second"] for entry in consume])
    idle_cpu = median([100.0 * entry["ticks"] / entry["hz"] / entry["seconds"] for entry in idle])
    startup_ms = median([1000.0 * entry["seconds"] for entry in startup])
    def total(entries, key, column):
        return median([sum(values[column] for values in entry[key].values()) / 1024 for entry in entries])

    idle_rss, idle_pss = total(startup, "idle_memory_kb", 0), total(startup, "idle_memory_kb", 1)
    loaded_rss, loaded_pss = total(loaded, "memory_kb", 0), total(loaded, "memory_kb", 1)
    recovery_ms = median([entry["milliseconds"] for entry in recovery])
    database_gb = median([entry["database_bytes"] / 1e9 for entry in recovery])
    failed = sum(entry["failed"] for entry in sync + many + batch + plain)

    def sync_figures(entries):
        rate = median([entry["messages_per_second"] for entry in entries])
        return (f"{rate:,.0f} msg/s; p50 {median([e['p50_ms'] for e in entries]):.2f} ms, "
                f"p95 {median([e['p95_ms'] for e in entries]):.2f} ms, p99 {median([e['p99_ms'] for e in entries]):.2f} ms")

    def window_note(entries):
        windows = [entry for entry in entries if "windows" in entry]
        if not windows:
            return f"{args.sync_seconds} s"
        return (f"{args.sync_seconds} s in {windows[0]['windows']} windows, each after 0.5 s of fdatasync; "
                f"median of the windows")

    def null_rows(ceiling, label):
        if not ceiling:
            return []
        entries = [entry for _, group in ceiling.values() for entry in group if entry["mode"] == "produce-sync"]
        runs = {entry["run"] for entry in entries}
        scenario = entries[0]["scenario"]
        counts = [entry for entry in results.get("null-broker", [])
                  if entry.get("scenario") == scenario and entry.get("run") in runs]
        per_request = median([c["records"] / c["produce_requests"] for c in counts if c.get("produce_requests")])
        spread = [entry["messages_per_second"] for entry in entries]
        per_request_text = f"; {per_request:.1f} messages per Produce request" if counts else ""
        return [
            f"| {label}, against the null broker ({args.null_seconds} s right before and after Monolog; "
            f"{min(spread):,.0f}–{max(spread):,.0f} msg/s{per_request_text}) "
            f"| {sync_figures(entries)} | 1.00× | | | | | | |"
        ]

    a_label = f"{args.sync_producers} producers × 512 B, acks=all, each waiting for its ack"
    many_label = (f"{args.many_producers} producers × 512 B, {args.per_connection} per client and connection, "
                  f"acks=all, each waiting for its ack")
    many_ratio = median(window_ratios(many)) if many else float("nan")
    many_rows = [
        f"| a100. {many_label} ({window_note(many)}) | {sync_figures(many)} "
        f"| {ratio_cell(null_ratios(many, null100), bold=True)} | **{many_ratio:.1f}×** "
        f"| {median(sqlite_ratios(many, 'messages_per_second')):.1f}× | | | ≥ 10× fdatasync | {verdict(many_ratio >= 10)} |"
    ] if many else []
    # a on a broker replicating with Litestream, against a on the same run's plain broker.
    by_run = {entry.get("run"): entry for entry in sync}
    replication_cost = [entry["messages_per_second"] / by_run[entry["run"]]["messages_per_second"]
                        for entry in replicated if entry.get("run") in by_run]
    replicated_rows = [
        f"| a, replicating with Litestream (a local directory, 1 s sync interval; {window_note(replicated)}) "
        f"| {sync_figures(replicated)} | {ratio_cell(null_ratios(replicated, null10))} "
        f"| {median(window_ratios(replicated)):.1f}× | | | | {ratio_cell(replication_cost)} of a without replication | |"
    ] if replicated else []

    fsync_interleaved = (
        [f"| 4 KiB append + fdatasync, 0.5 s windows between those of a and a100 (their baseline; "
         f"{len(interleaved)} windows, quartiles {quartiles(interleaved)[0]:,.0f}–{quartiles(interleaved)[1]:,.0f}/s) "
         f"| {median(interleaved):,.0f}/s | | 1.00× | | | | | |"]
        if interleaved else []
    )
    rows = [
        "| scenario | median | vs null broker | vs fdatasync per write | vs SQLite 1-row commits "
        "| vs SQLite bulk insert | vs SQLite read | target | |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
        f"| 4 KiB append + fdatasync, one thread, 3 s (baseline) | {median(fsync):,.0f}/s | | 1.00× | | | | | |",
    ] + fsync_interleaved + [
        f"| SQLite WAL synchronous=FULL, one-row transactions (baseline) | {median(sqlite):,.0f}/s "
        f"| | {median([s / f for s, f in zip(sqlite, fsync)]):.2f}× | 1.00× | | | | |",
        f"| SQLite WAL synchronous=FULL, 512 B rows in 1 MB transactions (baseline) | {median(bulk):,.0f} rows/s "
        f"| | | | 1.00× | | | |",
    ] + ([
        f"| SQLite, {args.batch_messages:,} rows of 512 B read back in order by offset, 1 MB per SELECT (baseline) "
        f"| {median(reads):,.0f} rows/s | | | | | 1.00× | | |"
    ] if reads else []) + null_rows(null10, f"a. {a_label}") + [
        f"| a. {a_label} ({window_note(sync)}) "
        f"| {sync_figures(sync)} | {ratio_cell(null_ratios(sync, null10), bold=True)} "
        f"| **{sync_ratio:.1f}×** | {median(sqlite_ratios(sync, 'messages_per_second')):.1f}× | | "
        f"| ≥ 0.8× the null broker, p99 < 2 ms "
        f"| {verdict(bool(null_ratios(sync, null10)) and median(null_ratios(sync, null10)) >= 0.8 and sync_p99 < 2)} |",
    ] + replicated_rows + null_rows(null100, f"a100. {many_label}") + many_rows + [
        f"| b. pipelined produce, librdkafka batching, acks=all, {args.batch_messages:,} × 512 B"
        f"{', first to last acknowledgement' if batch and all('seconds_from_start' in e for e in batch) else ''} "
        f"| {batch_rate:,.0f} msg/s ({batch_mb:.0f} MB/s) | | {median(ratios(batch, 'messages_per_second')):.0f}× "
        f"| {median(sqlite_ratios(batch, 'messages_per_second')):.0f}× | **{median(bulk_ratios(batch, 'messages_per_second')):.2f}×** "
        f"| | ≥ 300,000 msg/s | {verdict(batch_rate >= 300_000)} |",
        f"| c. one consumer reading {args.batch_messages:,} × 512 B from the start, first to last message "
        f"| {consume_rate:,.0f} msg/s ({consume_mb:.0f} MB/s) | | | | "
        + (f"| **{median([c['messages_per_second'] / r for c, r in zip(consume, reads)]):.2f}×** " if reads else "| ")
        + f"| ≥ 500,000 msg/s | {verdict(consume_rate >= 500_000)} |",
        f"| d. idle long-polling consumer: broker CPU over {args.idle_seconds} s | {idle_cpu:.2f} % of one core "
        f"| | | | | | < 1 % | {verdict(idle_cpu < 1)} |",
        f"| e. `monolog-supervisor start` to the first answered Metadata | {startup_ms:.0f} ms | | | | | | < 100 ms "
        f"| {verdict(startup_ms < 100)} |",
        f"| e. memory of all five processes together (PSS), idle / during b | {idle_pss:.0f} MB / {loaded_pss:.0f} MB "
        f"| | | | | | < 60 MB idle | {verdict(idle_pss < 60)} |",
        f"| e. the same as summed RSS (shared pages counted in each process) | {idle_rss:.0f} MB / {loaded_rss:.0f} MB "
        f"| | | | | | | |",
        f"| f. `kill -9` of the writer holding {database_gb:.2f} GB to the first acknowledged produce "
        f"| {recovery_ms:.0f} ms | | | | | | < 1 s | {verdict(recovery_ms < 1000)} |",
        f"| g. pipelined produce as in b but idempotent (as transactions are), {args.txn_seconds} s, without transactions "
        f"| {plain_rate:,.0f} msg/s | | | | {median(bulk_ratios(plain, 'messages_per_second')):.2f}× | | | |",
        f"| g. the same with a transaction committed every 100 ms "
        f"| {txn_rate:,.0f} msg/s | | | | {median(bulk_ratios(transactional, 'messages_per_second')):.2f}× | "
        f"| ≥ 0.8× without: **{txn_ratio:.2f}×** | {verdict(txn_ratio >= 0.8)} |",
        f"| h. EndTxn, broker's histogram: 10 transactional producers × one 512 B record per transaction, "
        f"{args.txn_latency_seconds} s ({endtxn_count:,.0f} EndTxn, {txn_per_second:,.0f} transactions/s) "
        f"| p50 {endtxn_p50:.2f} ms, p99 {endtxn_p99:.2f} ms (bucket ≤ {endtxn_p99_bucket:g} ms); "
        f"client's commit_transaction p50 {client_p50:.2f} ms, p99 {client_p99:.2f} ms | | | | | "
        f"| p99 < 3 ms | {verdict(endtxn_p99 < 3)} |",
    ]
    processes = sorted(startup[0]["idle_memory_kb"].keys())

    def per_process(entries, key, name, column):
        return median([entry[key].get(name, [0, 0])[column] / 1024 for entry in entries])

    memory = [
        "",
        "Memory per process (MB, medians), RSS and PSS, idle and during scenario b:",
        "",
        "| process | idle RSS | idle PSS | RSS during b | PSS during b |",
        "| --- | ---: | ---: | ---: | ---: |",
    ] + [
        f"| {name} | {per_process(startup, 'idle_memory_kb', name, 0):.1f} | {per_process(startup, 'idle_memory_kb', name, 1):.1f} "
        f"| {per_process(loaded, 'memory_kb', name, 0):.1f} | {per_process(loaded, 'memory_kb', name, 1):.1f} |"
        for name in processes
    ]
    header = [
        f"Run of {datetime.date.today().isoformat()} by `scripts/bench.sh` ({args.runs} run(s); medians): {machine()}.",
        f"Raw results: [{args.raw}]({os.path.relpath(args.raw, 'docs')}). Messages that failed delivery in a, a100, b and g: {failed}.",
        "",
        "The load generator (librdkafka, in C) runs on the same two cores as the broker, in every scenario and "
        "against the null broker alike: its threads and the broker's compete for the same two vCPUs, so no "
        "figure here is the broker's alone. The null broker (`Benchmarks/null-broker/`: one thread, pre-encoded "
        "answers, nothing stored) is the fastest anything answers this client on this machine; a and a100 are "
        "quoted as a ratio of it (its median of the runs right before and right after Monolog) beside the "
        "fdatasync ratio. b is quoted against SQLite's bulk insert rate and c against SQLite's read rate, both "
        "measured in the same run.",
        "",
    ]
    return "\n".join(header + rows + memory)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("results")
    parser.add_argument("document")
    parser.add_argument("--runs", type=int, required=True)
    parser.add_argument("--sync-seconds", type=int, required=True)
    parser.add_argument("--sync-producers", type=int, required=True)
    parser.add_argument("--many-producers", type=int, default=100)
    parser.add_argument("--per-connection", type=int, default=10)
    parser.add_argument("--null-seconds", type=int, default=10)
    parser.add_argument("--batch-messages", type=int, required=True)
    parser.add_argument("--idle-seconds", type=int, required=True)
    parser.add_argument("--txn-seconds", type=int, required=True)
    parser.add_argument("--txn-latency-seconds", type=int, required=True)
    parser.add_argument("--raw", required=True, help="the raw results' path from the repository root, for the link")
    args = parser.parse_args()
    table = report(load(args.results), args)
    print(table)
    replace_between_markers(args.document, BEGIN, END, table)


if __name__ == "__main__":
    main()
