#!/usr/bin/env python3
"""Checks the label presets shipped in crates/ade20k-export/data/ against the
benchmarks' own files.

- sceneparsing150.tsv: its 150 rows in order 1..150; the class indices of each
  row (`ade_classes`) equal the rows of the SceneParsing benchmark's
  `sceneparsing/mapFromADE.txt` for that id, every one of its rows; the names
  equal `sceneparsing/objectInfo150.csv` (`Name`, whose synonyms the file
  separates by `;` in place of both `, ` and spaces, so words are compared).
- instance100.tsv: its 100 rows in order 1..100; the SceneParse150 id and the
  class indices of each row equal the rows of the instance benchmark's
  `ade20k-instance/ade20k_instance_catid_mapping.txt` for that id, every one;
  the names equal the `categories` of `ade20k-instance/ade20k_instance_imgCatIds.json`;
  and each class has the class indices of its SceneParse150 class.

Usage:
    python3 scripts/verify_label_presets.py --data ../shared/data

`--data` is the folder holding `sceneparsing/` and `ade20k-instance/`; when it
is absent, the check says so and passes (the files are not part of the
project). Exits 1 on any mismatch.
"""

import argparse
import csv
import json
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
    return {int(row["index"]): indices(row["ade_classes"]) for row in rows}


def check_instance(data, scene_parsing, failures):
    rows = shipped_rows("instance100.tsv")
    official = defaultdict(list)
    with open(os.path.join(data, "ade20k-instance", "ade20k_instance_catid_mapping.txt"), encoding="utf-8") as table:
        for line in list(table)[1:]:  # the header, misspelt in the source
            if line.strip():
                label, scene_parsing_id, class_index = (int(field) for field in line.split())
                official[label].append((scene_parsing_id, class_index))
    with open(os.path.join(data, "ade20k-instance", "ade20k_instance_imgCatIds.json"), encoding="utf-8") as f:
        names = {category["id"]: category["name"] for category in json.load(f)["categories"]}
    if [int(row["id"]) for row in rows] != list(range(1, 101)):
        failures.append("instance100.tsv: ids are not 1..100 in order")
    if sorted(official) != list(range(1, 101)) or sorted(names) != list(range(1, 101)):
        failures.append("the instance benchmark's files do not have ids 1..100")
    for row in rows:
        label = int(row["id"])
        expected = official.get(label, [])
        if {int(row["sceneparsing150"])} != {sp for sp, _ in expected}:
            failures.append(f"instance100 {label}: SceneParse150 id {row['sceneparsing150']}, mapping {expected}")
        if indices(row["ade_classes"]) != sorted(index for _, index in expected):
            failures.append(f"instance100 {label}: classes {row['ade_classes']}, mapping {expected}")
        if row["name"] != names.get(label):
            failures.append(f"instance100 {label}: name {row['name']!r}, categories {names.get(label)!r}")
        if indices(row["ade_classes"]) != scene_parsing.get(int(row["sceneparsing150"])):
            failures.append(f"instance100 {label}: classes differ from its sceneparsing150 class")
    checked = sum(len(indices(row["ade_classes"])) for row in rows)
    print(f"verify_label_presets: instance100: 100 classes, {checked} class indices against the instance mapping")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="folder holding sceneparsing/ and ade20k-instance/")
    args = parser.parse_args()
    if not os.path.isdir(args.data):
        print(f"verify_label_presets: {args.data} is absent; skipped")
        return 0
    failures = []
    scene_parsing = check_scene_parsing(args.data, failures)
    check_instance(args.data, scene_parsing, failures)
    for failure in failures:
        print("MISMATCH", failure)
    print(f"verify_label_presets: {len(failures)} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
