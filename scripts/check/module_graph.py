#!/usr/bin/env python3
"""Keeps docs/ARCHITECTURE.md's module graph equal to what Package.swift declares.

    module_graph.py          exits 1 (and says why) if the table in the document differs
    module_graph.py --write  rewrites the table from `swift package dump-package`

The table sits between the markers `<!-- module-graph -->` and `<!-- /module-graph -->`: one row per
target of this package (test targets left out), with the package's own targets it depends on."""
import json
import subprocess
import sys

DOCUMENT = "docs/ARCHITECTURE.md"
BEGIN, END = "<!-- module-graph -->", "<!-- /module-graph -->"
KIND = {"regular": "library", "executable": "executable", "system": "system library"}


def table():
    package = json.loads(subprocess.run(["swift", "package", "dump-package"], check=True, capture_output=True, text=True).stdout)
    local = {t["name"] for t in package["targets"]}
    rows = ["| module | kind | path | depends on (this package) |", "| --- | --- | --- | --- |"]
    for target in package["targets"]:
        if target["type"] == "test":
            continue
        dependencies = []
        for dependency in target.get("dependencies", []):
            for kind in ("byName", "target"):
                if kind in dependency and dependency[kind][0] in local:
                    dependencies.append(dependency[kind][0])
        kind = KIND.get(target["type"], target["type"])
        listed = ", ".join(f"`{name}`" for name in dependencies) or "none"
        rows.append(f"| `{target['name']}` | {kind} | `{target.get('path', '')}` | {listed} |")
    return "\n".join(rows)


def main():
    text = open(DOCUMENT, encoding="utf-8").read()
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    wanted = "\n" + table() + "\n"
    if "--write" in sys.argv:
        open(DOCUMENT, "w", encoding="utf-8").write(text[:start] + wanted + text[end:])
        return 0
    if text[start:end] != wanted:
        print(f"{DOCUMENT}: the module graph differs from Package.swift; run scripts/check/module_graph.py --write")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
