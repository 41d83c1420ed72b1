#!/usr/bin/env python3
"""Summarizes scripts/bench-bad-clients.sh's JSON lines: medians over the runs, ratios taken within
each run against that run's baseline. Prints the table; with --doc, also writes it into that file
between the bench-bad-clients markers."""
import argparse
import json
import platform
import re
import statistics
import subprocess

BEGIN, END = "<!-- bench-bad-clients:begin -->", "<!-- bench-bad-clients:end -->"


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value, digits=2, suffix=""):
    if value is None:
        return "n/a"
    if isinstance(value, float) and digits == 0:
        return f"{value:,.0f}{suffix}"
    return f"{value:,.{digits}f}{suffix}"


def machine():
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    swift = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.splitlines()
    return f"{cores} vCPU {cpu}, Linux {platform.release()}, {swift[0] if swift else 'Swift ?'}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--results", required=True)
    parser.add_argument("--runs", type=int, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--doc")
    args = parser.parse_args()
    lines = [json.loads(line) for line in open(args.results) if line.strip()]
    runs = sorted({line["run"] for line in lines})
    by = {(line["run"], line["phase"]): line for line in lines}
    date = lines[0]["date"] if lines else "?"

    def column(phase, get):
        return [get(by[(run, phase)]) for run in runs if (run, phase) in by]

    def ratio(phase, key):
        out = []
        for run in runs:
            base, other = by.get((run, "baseline")), by.get((run, phase))
            if base and other and base["good"].get(key) and other["good"].get(key):
                out.append(other["good"][key] / base["good"][key])
        return median(out)

    rows = []
    for phase, label in (("baseline", "baseline: good clients alone"),
                         ("attack", "under 1,000 bad connections"),
                         ("after", "after the bad clients left")):
        good = lambda key: median(column(phase, lambda l: l["good"].get(key)))
        errors = sum(column(phase, lambda l: (l["good"].get("errors") or 0) + (l["good"].get("failed") or 0)))
        lost = sum(column(phase, lambda l: (l["good"].get("acknowledged") or 0) - (l["good"].get("consumed") or 0)))
        p99_ratio = "1.00×" if phase == "baseline" else fmt(ratio(phase, "p99_ms"), 2, "×")
        rate_ratio = "1.00×" if phase == "baseline" else fmt(ratio(phase, "messages_per_second"), 2, "×")
        rows.append(f"| {label} | {fmt(good('messages_per_second'), 0)} msg/s ({rate_ratio}) | {fmt(good('p50_ms'))} ms | "
                    f"{fmt(good('p99_ms'))} ms ({p99_ratio}) | {errors} | {lost} | "
                    f"{fmt(median(column(phase, lambda l: l.get('gateway_rss_max_mb'))), 1, ' MB')} | "
                    f"{fmt(median(column(phase, lambda l: l.get('writer_rss_max_mb'))), 1, ' MB')} |")

    attack = [by[(run, "attack")] for run in runs if (run, "attack") in by]
    bad_rate = median([a["bad"].get("bytes_per_second_sent") for a in attack if "bad" in a])
    classes = attack[0]["bad"].get("classes", {}) if attack and "bad" in attack[0] else {}
    class_rows = []
    for name, first in classes.items():
        per_run = [a["bad"]["classes"][name] for a in attack if name in a["bad"].get("classes", {})]
        paced = first.get("paced_bytes_per_second")
        class_rows.append(
            f"| {name} | {first['connections']} | {fmt(paced / 1e6, 1) + ' MB/s' if paced else 'unpaced'} | "
            f"{fmt(median([c['bytes_sent'] / a['bad']['seconds'] / 1e6 for c, a in zip(per_run, attack)]), 2)} MB/s | "
            f"{fmt(median([c['connects'] for c in per_run]), 0)} | {fmt(median([c['closed_by_broker'] for c in per_run]), 0)} | "
            f"{fmt(median([c['responses'] for c in per_run]), 0)} |")

    codes = {}
    for a in attack:
        for code, count in a.get("bad", {}).get("classes", {}).get("big-produce", {}).get("produce_error_codes", {}).items():
            codes.setdefault(code, []).append(count)
    codes_text = ", ".join(f"error code {code}: {sum(counts)}" for code, counts in sorted(codes.items())) or "none"

    checks = {}
    for a in attack:
        for name, (ok, detail) in a.get("checks", {}).items():
            checks.setdefault(name, []).append((ok, detail))
    check_rows = [f"| {name} | {sum(ok for ok, _ in results)} of {len(results)} | "
                  f"{'; '.join(detail for _, detail in results)} |" for name, results in checks.items()]

    gauges = {}
    for a in attack:
        for key, value in a.get("metrics_max", {}).items():
            gauges.setdefault(key, []).append(value)
    gauge_text = ", ".join(f"`{k}` {fmt(median(v), 0)}" for k, v in sorted(gauges.items())
                           if re.match(r"monolog_kafka_(requests_in_flight|queued_requests|queued_request_bytes|connections)$", k))

    text = "\n".join([
        f"Run of {date} by `scripts/bench-bad-clients.sh` ({len(runs)} run(s) of {args.seconds:.0f} s phases; medians): {machine()}.",
        f"Bad clients paced to {fmt(sum((c.get('paced_bytes_per_second') or 0) for c in classes.values()) / 1e6, 0)} MB/s in all; "
        f"sent {fmt(bad_rate / 1e6 if bad_rate else None, 1)} MB/s (median of the runs, over the whole attack phase).",
        "",
        "| phase (10 producers acks=all 512 B + 1 consumer) | acknowledged (vs baseline) | p50 | p99 (vs baseline) | errors | acknowledged not consumed | gateway RSS max | storage writer RSS max |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        "| bad class | connections | paced to | sent | connects | closed by the broker | responses |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        *class_rows,
        "",
        f"Answers to the ~100 MiB produces, all runs together: {codes_text} (0: stored).",
        "",
        f"Highest gauges seen under attack (medians of the runs' maxima): {gauge_text or 'n/a'}.",
        "",
        "| check | runs passed | figures per run |",
        "| --- | --- | --- |",
        *check_rows,
    ])
    print(text)
    if args.doc:
        doc = open(args.doc).read()
        if BEGIN in doc and END in doc:
            doc = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: f"{BEGIN}\n{text}\n{END}", doc, flags=re.S)
        else:
            doc = doc.rstrip("\n") + f"\n\n{BEGIN}\n{text}\n{END}\n"
        open(args.doc, "w").write(doc)


if __name__ == "__main__":
    main()
