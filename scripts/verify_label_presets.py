#!/usr/bin/env python3
"""Checks the label presets shipped in crates/ade20k-export/data/ against the
benchmarks' own files.

- sceneparsing150.tsv: its 150 rows in order 1..150; the class indices of each
  row (`ade_classes`) equal the rows of the SceneParsing benchmark's
  `sceneparsing/mapFromADE.txt` for that id, every one of its rows; the names
  equal `sceneparsing/objectInfo150.csv` (`Name`, whose synonyms the file
  separates by `;` in place of both `, ` and spaces, so words are compared).

Usage:
    python3 scripts/verify_label_presets.py --data ../shared/data

`--data` is the folder holding `sceneparsing/`; when it
is absent, the check says so and passes (the files are not part of the
project). Exits 1 on any mismatch.
"""

import argparse
import csv
import os
import re
import sys
from collections import defaultdict

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates", "ade20k-export", "data")


def shipped_rows(name):
    """The rows of a shipped table as dicts, comments and blank lines skipped."""
    with open(os.path.join(DATA, name), encoding="utf-8") as table:
        lines = [line.rstrip("\n") for line in table if line.strip() and not line.startswith("#")]
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"))) for line in lines[1:]]


def indices(field):
    return sorted(int(index) for index in field.split(","))


def words(name):
    return [word for word in re.split("[ ,;]+", name.strip().lower()) if word]


def check_scene_parsing(data, failures):
    rows = shipped_rows("sceneparsing150.tsv")
    official = defaultdict(list)
    with open(os.path.join(data, "sceneparsing", "mapFromADE.txt"), encoding="utf-8") as table:
        for line in table:
            if line.strip():
                label, class_index = line.split()[:2]
                official[int(label)].append(int(class_index))
    with open(os.path.join(data, "sceneparsing", "objectInfo150.csv"), encoding="utf-8") as table:
        names = {int(row["Idx"]): row["Name"] for row in csv.DictReader(table)}
    if [int(row["index"]) for row in rows] != list(range(1, 151)):
        failures.append("sceneparsing150.tsv: ids are not 1..150 in order")
    if sorted(official) != list(range(1, 151)):
        failures.append("mapFromADE.txt: ids are not 1..150")
    for row in rows:
        label = int(row["index"])
        if indices(row["ade_classes"]) != sorted(official.get(label, [])):
            failures.append(f"sceneparsing150 {label}: classes {row['ade_classes']}, mapFromADE.txt {official.get(label)}")
        if words(row["name"]) != words(names.get(label, "")):
            failures.append(f"sceneparsing150 {label}: name {row['name']!r}, objectInfo150.csv {names.get(label)!r}")
    checked = sum(len(indices(row["ade_classes"])) for row in rows)
    print(f"verify_label_presets: sceneparsing150: 150 classes, {checked} class indices against mapFromADE.txt")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="folder holding sceneparsing/")
    args = parser.parse_args()
    if not os.path.isdir(args.data):
        print(f"verify_label_presets: {args.data} is absent; skipped")
        return 0
    failures = []
    check_scene_parsing(args.data, failures)
    for failure in failures:
        print("MISMATCH", failure)
    print(f"verify_label_presets: {len(failures)} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
