#!/usr/bin/env python3
"""The import rules scripts/check.sh enforces, read from `swift package dump-package` and the sources:

1. Each target imports exactly what Package.swift declares for it: no module used through another
   target's dependencies, and no dependency declared but never imported.
2. Only the storage modules touch SQLite: `import CSQLite` in Libraries/MonologStorage alone, and the
   engine's `@_spi(StorageEngine)` in Libraries/MonologStorageEngine (and the benchmarks' SQLite
   baselines) alone.

Prints one line per problem; exits 1 if there is any."""
import json
import os
import re
import subprocess
import sys

IMPORT = re.compile(r"^\s*(?:@testable\s+|@_spi\(\w+\)\s+|@preconcurrency\s+)*import\s+(?:(?:struct|class|enum|protocol|func|var|typealias)\s+)?([A-Za-z_][A-Za-z0-9_]*)", re.M)
# Modules every Swift target may import without declaring them.
TOOLCHAIN = {"Foundation", "FoundationEssentials", "Glibc", "Darwin", "Dispatch", "Synchronization", "Testing", "XCTest",
             "Observation", "_Concurrency", "Swift", "os", "Musl", "Android"}
SQLITE_ALLOWED = ("Libraries/MonologStorage/",)
ENGINE_SPI_ALLOWED = ("Libraries/MonologStorageEngine/", "Benchmarks/")


def swift_files(folder):
    for root, _, files in os.walk(folder):
        for name in files:
            if name.endswith(".swift"):
                yield os.path.join(root, name)


def main():
    package = json.loads(subprocess.run(["swift", "package", "dump-package"], check=True, capture_output=True, text=True).stdout)
    local = {t["name"] for t in package["targets"]}
    problems = []
    for target in package["targets"]:
        if target["type"] == "system":
            continue
        path = target.get("path") or ("Tests/" if target["type"] == "test" else "Sources/") + target["name"]
        declared = set()
        for dependency in target.get("dependencies", []):
            for kind in ("byName", "target", "product"):
                if kind in dependency:
                    declared.add(dependency[kind][0])
        imported = {}
        for file in swift_files(path):
            for module in IMPORT.findall(open(file, encoding="utf-8").read()):
                imported.setdefault(module, file)
        for module, file in sorted(imported.items()):
            if module in TOOLCHAIN or module == target["name"]:
                continue
            if module not in declared:
                problems.append(f"{file}: imports {module}, which Package.swift does not declare for {target['name']}")
        for module in sorted(declared - set(imported)):
            if target["type"] == "test" and module in local and module not in imported:
                # A test target may depend on an executable or support target only to have it built.
                if any(t["name"] == module and t["type"] == "executable" for t in package["targets"]):
                    continue
            problems.append(f"{path}: Package.swift declares {module} for {target['name']}, which never imports it")

    for folder in ("Libraries", "Services", "supervisor", "Tests", "Tools", "Benchmarks/Sources", "Benchmarks/Benchmarks"):
        for file in swift_files(folder):
            text = open(file, encoding="utf-8").read()
            if re.search(r"^\s*import\s+CSQLite\b", text, re.M) and not file.startswith(SQLITE_ALLOWED):
                problems.append(f"{file}: imports CSQLite; only Libraries/MonologStorage may (everything else goes through it)")
            if "@_spi(StorageEngine)" in text and not file.startswith(ENGINE_SPI_ALLOWED + SQLITE_ALLOWED):
                problems.append(f"{file}: uses the StorageEngine SPI; only the storage engine opens the database for writing")

    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
