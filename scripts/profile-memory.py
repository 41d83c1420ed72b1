#!/usr/bin/env python3
"""Where the idle memory of the five processes goes. Starts a release `monolog-supervisor start` on a
fresh data directory and free ports, waits --settle seconds, and for each process reads its PSS per
mapping from /proc/<pid>/smaps and, for its own executable, which pages are resident
(/proc/<pid>/pagemap, needs root) by ELF section (`readelf -S`). Appends one JSON line per process to
--results and prints the markdown table of docs/benchmarks.md (e. memory) from the lines of this run.

  scripts/profile-memory.py [--settle 3] [--results docs/results/memory-DATE.jsonl]
  scripts/profile-memory.py --table --results FILE     only the table of the lines already in FILE
"""

import argparse
import collections
import datetime
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAMES = ["monolog-supervisor", "monolog-kafka-gateway", "monolog-http-gateway", "monolog-storage-writer", "monolog-retention-worker"]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def pss_by_mapping(pid):
    """kB of PSS per mapped file (by base name) or [anon]/[heap]/[stack]."""
    totals, current = collections.Counter(), "[anon]"
    with open(f"/proc/{pid}/smaps") as smaps:
        for line in smaps:
            if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                parts = line.split()
                current = os.path.basename(parts[5]) if len(parts) > 5 else "[anon]"
            elif line.startswith("Pss:"):
                totals[current] += int(line.split()[1])
    return dict(totals)


def resident_sections(pid):
    """kB resident and kB mapped of each ELF section of the process's own executable."""
    exe = os.readlink(f"/proc/{pid}/exe")
    sections = []
    for line in subprocess.run(["readelf", "-SW", exe], capture_output=True, text=True, check=True).stdout.splitlines():
        match = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+([0-9a-f]+)\s+([0-9a-f]+)", line)
        if match:
            sections.append((match.group(1), int(match.group(2), 16), int(match.group(3), 16)))
    mappings = []
    with open(f"/proc/{pid}/maps") as maps:
        for line in maps:
            parts = line.split()
            if len(parts) > 5 and parts[5] == exe:
                start, end = (int(x, 16) for x in parts[0].split("-"))
                mappings.append((start, end, int(parts[2], 16)))
    resident, mapped = collections.Counter(), collections.Counter()
    with open(f"/proc/{pid}/pagemap", "rb") as pagemap:
        for start, end, offset in mappings:
            for address in range(start, end, 4096):
                pagemap.seek(address // 4096 * 8)
                present = struct.unpack("Q", pagemap.read(8))[0] >> 63
                file_offset = offset + address - start
                name = next((n for n, o, size in sections if o <= file_offset < o + size), "(headers)")
                mapped[name] += 4
                resident[name] += 4 * present
    return {name: {"resident_kb": resident[name], "mapped_kb": mapped[name]} for name in mapped}


def measure(args):
    bin_dir = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=REPO, capture_output=True, text=True,
                             check=True).stdout.strip()
    data = tempfile.mkdtemp(prefix="monolog-memory-")
    log_path = os.path.join(data, "supervisor.log")
    with open(log_path, "w") as log:
        broker = subprocess.Popen(
            [f"{bin_dir}/monolog-supervisor", "start", "--data-dir", f"{data}/data", "--kafka-addr", f"127.0.0.1:{free_port()}",
             "--http-addr", f"127.0.0.1:{free_port()}"], stdout=log, stderr=subprocess.STDOUT)
    lines = []
    try:
        deadline = time.time() + 30
        while "monolog ready" not in open(log_path).read():
            if time.time() > deadline or broker.poll() is not None:
                sys.exit(f"the broker did not start:\n{open(log_path).read()}")
            time.sleep(0.05)
        time.sleep(args.settle)
        pids = subprocess.run(["pgrep", "-P", str(broker.pid)], capture_output=True, text=True).stdout.split() + [str(broker.pid)]
        for pid in pids:
            exe = os.path.basename(os.readlink(f"/proc/{pid}/exe"))
            by_mapping = pss_by_mapping(pid)
            lines.append({
                "date": datetime.date.today().isoformat(), "process": exe, "pss_kb": sum(by_mapping.values()),
                "pss_kb_by_mapping": by_mapping, "executable_sections": resident_sections(pid),
            })
    finally:
        broker.terminate()
        broker.wait()
        shutil.rmtree(data, ignore_errors=True)
    return lines


def table(lines):
    rows = [
        "| process | PSS | its own executable's pages | of which `.text` (resident of mapped) | `.rela.dyn` | anonymous |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    total = own = 0
    for line in sorted(lines, key=lambda l: NAMES.index(l["process"]) if l["process"] in NAMES else 99):
        mapping, sections = line["pss_kb_by_mapping"], line["executable_sections"]
        text, rela = sections.get(".text", {}), sections.get(".rela.dyn", {})
        anonymous = sum(v for k, v in mapping.items() if k.startswith("["))
        total += line["pss_kb"]
        own += mapping.get(line["process"], 0)
        rows.append(
            f"| {line['process'].removeprefix('monolog-')} | {line['pss_kb'] / 1000:.1f} MB | {mapping.get(line['process'], 0) / 1000:.1f} MB "
            f"| {text.get('resident_kb', 0) / 1000:.1f} of {text.get('mapped_kb', 0) / 1000:.1f} MB | {rela.get('resident_kb', 0) / 1000:.1f} MB "
            f"| {anonymous / 1000:.1f} MB |"
        )
    rows.append(f"| all five | {total / 1000:.1f} MB | {own / 1000:.1f} MB | | | |")
    return "\n".join(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--settle", type=float, default=3)
    parser.add_argument("--results", default=f"{REPO}/docs/results/memory-{datetime.date.today().isoformat()}.jsonl")
    parser.add_argument("--table", action="store_true")
    args = parser.parse_args()
    if args.table:
        with open(args.results) as results:
            print(table([json.loads(line) for line in results if line.strip()]))
        return
    lines = measure(args)
    with open(args.results, "a") as results:
        for line in lines:
            results.write(json.dumps(line, sort_keys=True) + "\n")
    print(table(lines))


if __name__ == "__main__":
    main()
