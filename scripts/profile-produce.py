#!/usr/bin/env python3
"""Where the time of scenario a (producers each waiting for its acknowledgement) or h (transactional
producers committing one record per transaction, --scenario h) goes, from the broker's own figures: a release `monolog-supervisor start` on a fresh data directory and free ports, the
librdkafka load generator (Benchmarks/loadgen) for --seconds, and around it

  - the Kafka gateway's Produce (for h also AddPartitionsToTxn and EndTxn) latency and the storage
    writer's commit time, fsync time and requests
    per commit, from the histograms of /metrics (quantiles interpolated within their bucket, as
    Prometheus' histogram_quantile() does), read after a 2 s warm-up and at the end;
  - the CPU every process used over the middle --cpu-seconds, from /proc/<pid>/stat, and so the CPU
    each process spends per acknowledged message.

Appends one JSON line per run to --results and prints a markdown table of the runs. Needs a release
build (`swift build -c release`) and the load generator (`Benchmarks/loadgen/build.sh`), as
scripts/bench.sh makes them. The load generator shares the broker's cores.

  scripts/profile-produce.py [--scenario a|h] [--producers 10] [--per-connection 1] [--seconds 8] [--runs 2]
                             [--label TEXT] [--results docs/results/profile-a-DATE.jsonl]
"""

import argparse
import datetime
import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The quantile of a scraped histogram is bench.sh's report's own, so both documents compute it alike.
_spec = importlib.util.spec_from_file_location("bench_report", os.path.join(REPO, "scripts", "bench-report.py"))
bench_report = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_report)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def scrape(http):
    """Every sample of /metrics as {"name{labels}": value}."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{http}/metrics", timeout=30).read().decode()
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, value = line.rsplit(" ", 1)
            samples[key] = float(value)
    return samples


def histogram(before, after, name, label=""):
    """count, p50, p99 and mean of what a histogram counted between two scrapes; the quantiles as
    bench.sh's report takes them (Prometheus' histogram_quantile())."""
    def buckets(samples):
        return {
            re.search(r'le="([^"]+)"', key).group(1): value
            for key, value in samples.items() if key.startswith(name + "_bucket") and label in key
        }

    before_buckets, after_buckets = buckets(before), buckets(after)
    total = after_buckets.get("+Inf", 0) - before_buckets.get("+Inf", 0)
    if total == 0:
        return None

    def delta(suffix):
        key = next(k for k in after if k.startswith(name + suffix) and label in k)
        return after[key] - before.get(key, 0)

    def quantile(q):
        return bench_report.histogram_quantile(q, before_buckets, after_buckets)[0]

    return {"count": total, "p50": quantile(0.5), "p99": quantile(0.99), "mean": delta("_sum") / delta("_count")}


def cpu_ticks():
    ticks = {}
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/stat") as stat:
                    text = stat.read()
                fields = text[text.rindex(")") + 2 :].split()
                ticks[pid] = (text[text.index("(") + 1 : text.rindex(")")], int(fields[11]) + int(fields[12]))
            except (OSError, ValueError):
                pass
    return ticks


def cpu_shares(seconds):
    """Share of one core each command used over `seconds`, summed over its processes."""
    hertz = os.sysconf("SC_CLK_TCK")
    before = cpu_ticks()
    time.sleep(seconds)
    after = cpu_ticks()
    shares = {}
    for pid, (command, ticks) in after.items():
        used = (ticks - before.get(pid, (command, ticks))[1]) / hertz / seconds
        if used > 0:
            shares[command] = shares.get(command, 0) + used
    return {command: round(share, 4) for command, share in shares.items() if share >= 0.01}


def run_once(args, bin_dir, loadgen):
    kafka, http = free_port(), free_port()
    data = tempfile.mkdtemp(prefix="monolog-profile-")
    log = open(os.path.join(data, "supervisor.log"), "w")
    broker = subprocess.Popen(
        [f"{bin_dir}/monolog-supervisor", "start", "--data-dir", f"{data}/data", "--kafka-addr", f"127.0.0.1:{kafka}",
         "--http-addr", f"127.0.0.1:{http}"], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 30
        while "monolog ready" not in open(log.name).read():
            if time.time() > deadline or broker.poll() is not None:
                sys.exit(f"the broker did not start:\n{open(log.name).read()}")
            time.sleep(0.05)
        request = urllib.request.Request(f"http://127.0.0.1:{http}/api/topics", data=b'{"name":"sync","partitions":1}',
                                         headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=30).read()
        if args.scenario == "h":
            produce = [loadgen, "txn-latency", "--brokers", f"127.0.0.1:{kafka}", "--topic", "sync", "--producers", str(args.producers)]
        else:
            produce = [loadgen, "produce-sync", "--brokers", f"127.0.0.1:{kafka}", "--topic", "sync", "--producers",
                       str(args.producers), "--per-connection", str(args.per_connection)]
        subprocess.run(produce + ["--seconds", "2"], check=True, capture_output=True)  # warm-up
        before = scrape(http)
        measured = subprocess.Popen(produce + ["--seconds", str(args.seconds)], stdout=subprocess.PIPE, text=True)
        time.sleep((args.seconds - args.cpu_seconds) / 2)
        cpu = cpu_shares(args.cpu_seconds)
        client = json.loads(measured.communicate()[0])
        after = scrape(http)
    finally:
        broker.terminate()
        broker.wait()
        shutil.rmtree(data, ignore_errors=True)
    rate = client.get("messages_per_second") or client["transactions_per_second"]
    return {
        "date": datetime.date.today().isoformat(), "label": args.label, "scenario": args.scenario, "producers": args.producers, "per_connection": args.per_connection,
        "seconds": args.seconds, "client": client,
        "gateway_produce_seconds": histogram(before, after, "monolog_kafka_request_duration_seconds", 'api="Produce"'),
        "gateway_add_partitions_to_txn_seconds": histogram(before, after, "monolog_kafka_request_duration_seconds", 'api="AddPartitionsToTxn"'),
        "gateway_end_txn_seconds": histogram(before, after, "monolog_kafka_request_duration_seconds", 'api="EndTxn"'),
        "writer_commit_seconds": histogram(before, after, "monolog_writer_commit_duration_seconds"),
        "writer_fsync_seconds": histogram(before, after, "monolog_writer_fsync_duration_seconds"),
        "writer_requests_per_commit": histogram(before, after, "monolog_writer_commit_requests"),
        "cpu_cores": cpu,
        "cpu_us_per_message": {command: round(share / rate * 1e6, 1) for command, share in cpu.items() if rate > 0},
    }


def txn_table(lines):
    rows = [
        "| code | transactional producers | transactions | client commit p50 / p99 | gateway p50 / p99: AddPartitionsToTxn, Produce, EndTxn | "
        "writer commit p50 / p99 (fsync p50 / p99) | requests per commit | CPU, % of a core: gateway / writer / load generator |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for line in lines:
        cpu = line["cpu_cores"]
        share = lambda prefix: sum(v for k, v in cpu.items() if k.startswith(prefix)) * 100  # noqa: E731
        ms = lambda h: f"{h['p50'] * 1000:.2f} / {h['p99'] * 1000:.2f}"  # noqa: E731
        rows.append(
            f"| {line.get('label', '')} | {line['producers']} | {line['client']['transactions_per_second']:,.0f}/s "
            f"| {line['client']['client_commit_p50_ms']:.2f} / {line['client']['client_commit_p99_ms']:.2f} ms "
            f"| {ms(line['gateway_add_partitions_to_txn_seconds'])}, {ms(line['gateway_produce_seconds'])}, {ms(line['gateway_end_txn_seconds'])} ms "
            f"| {ms(line['writer_commit_seconds'])} ({ms(line['writer_fsync_seconds'])}) ms "
            f"| {line['writer_requests_per_commit']['mean']:.1f} "
            f"| {share('monolog-kafka-g'):.0f} / {share('monolog-storage'):.0f} / {share('monolog-loadgen'):.0f} |"
        )
    return "\n".join(rows)


def table(lines):
    if lines and lines[0].get("scenario") == "h":
        return txn_table(lines)
    rows = [
        "| code | producers (per connection) | acknowledged | client p50 / p99 | gateway Produce p50 | writer commit p50 (fsync p50) | "
        "requests per commit | CPU, % of a core: gateway / writer / HTTP gateway / load generator | gateway CPU per message |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for line in lines:
        cpu = line["cpu_cores"]
        share = lambda prefix: sum(v for k, v in cpu.items() if k.startswith(prefix)) * 100  # noqa: E731 (comm is cut at 15 bytes)
        gateway_us = sum(v for k, v in line["cpu_us_per_message"].items() if k.startswith("monolog-kafka-g"))
        rows.append(
            f"| {line.get('label', '')} | {line['producers']} ({line['per_connection']}) | {line['client']['messages_per_second']:,.0f} msg/s "
            f"| {line['client']['p50_ms']:.2f} / {line['client']['p99_ms']:.2f} ms "
            f"| {line['gateway_produce_seconds']['p50'] * 1000:.2f} ms "
            f"| {line['writer_commit_seconds']['p50'] * 1000:.2f} ms ({line['writer_fsync_seconds']['p50'] * 1000:.2f} ms) "
            f"| {line['writer_requests_per_commit']['mean']:.1f} "
            f"| {share('monolog-kafka-g'):.0f} / {share('monolog-storage'):.0f} / {share('monolog-http-ga'):.0f} / {share('monolog-loadgen'):.0f} "
            f"| {gateway_us:.0f} µs |"
        )
    return "\n".join(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", choices=["a", "h"], default="a")
    parser.add_argument("--producers", type=int, default=10)
    parser.add_argument("--per-connection", type=int, default=1)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--cpu-seconds", type=int, default=4)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--label", default="", help="what was measured (a commit, a change), kept in each result line")
    parser.add_argument("--results", help="default: docs/results/profile-SCENARIO-DATE.jsonl")
    parser.add_argument("--table", action="store_true", help="only print the table of the lines already in --results")
    args = parser.parse_args()
    args.results = args.results or f"{REPO}/docs/results/profile-{args.scenario}-{datetime.date.today().isoformat()}.jsonl"
    if args.table:
        with open(args.results) as results:
            print(table([json.loads(line) for line in results if line.strip()]))
        return
    bin_dir = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=REPO, capture_output=True, text=True,
                             check=True).stdout.strip()
    loadgen = f"{REPO}/.build/loadgen/monolog-loadgen"
    for needed in (f"{bin_dir}/monolog-supervisor", loadgen):
        if not os.access(needed, os.X_OK):
            sys.exit(f"{needed} is missing: run `swift build -c release` and Benchmarks/loadgen/build.sh first")
    lines = []
    for run in range(args.runs):
        line = run_once(args, bin_dir, loadgen)
        lines.append(line)
        with open(args.results, "a") as results:
            results.write(json.dumps(line, sort_keys=True) + "\n")
    print(table(lines))


if __name__ == "__main__":
    main()
