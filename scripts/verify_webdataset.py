#!/usr/bin/env python3
"""Checks a `webdataset` export of an ADE20K dataset with `webdataset` and `datasets`.

`webdataset` iterates every sample of every shard `{split}-{NNNNNN}.tar`
(numbered from 0 per split, each within --shard-size when given unless it
holds one sample), decoding `seg.png` with a decoder that keeps 16 bits
(WebDataset's own image decoders reduce images to 8 bits) and `json` as JSON;
each sample must have its members `jpg` (unless --no-photos), `seg.png` and
`json`, a key without a dot, and match the source (see training_sample.py):
photo bytes, class map pixels, and every object's RLE decoded by pycocotools
against the source mask, labels named by `labels.json`. Every source item
must be one sample of its split, in order. `datasets.load_dataset(OUT)` (the
webdataset loader with the features of the dataset card) must then read the
same rows, name the labels, and decode each `seg.png` to the source's classes.

Usage:
    python3 scripts/verify_webdataset.py --dataset tests/assets/ade20k2020 --out out/webdataset \\
        [--amodal] [--no-photos] [--shard-size BYTES] [--selection]

`--dataset` is the folder whose children are the subsets. Exits 1 on any mismatch.
"""

import glob
import io
import json
import os
import re
import sys

import datasets
import numpy as np
import webdataset as wds
from PIL import Image

from ade20k_source import source_items
from training_sample import check_sample, export_arguments

SPLITS = {"training": "train"}


def png16(key, data):
    """WebDataset decoder for `.seg.png`: the PNG's values at full depth."""
    if key.endswith("seg.png"):
        return np.array(Image.open(io.BytesIO(data)))
    return None


def main():
    args = export_arguments()
    problems = []
    with open(os.path.join(args.out, "labels.json"), encoding="utf-8") as labels:
        listed = json.load(labels)
    names = [label["name"] for label in listed]
    if [(label["id"], label["label"]) for label in listed] != [(n + 1, n) for n in range(len(listed))]:
        problems.append("labels.json: ids are not 1..N with label = id - 1")
    expected = {}
    for subset, item_id, _ in source_items(args.dataset):
        expected.setdefault(SPLITS.get(subset, subset), []).append((subset, item_id))
    shards = {}
    for path in sorted(glob.glob(os.path.join(args.out, "*.tar"))):
        match = re.fullmatch(r"(\w+)-(\d{6})\.tar", os.path.basename(path))
        if not match:
            problems.append(f"{path}: not named {{split}}-NNNNNN.tar")
            continue
        shards.setdefault(match[1], []).append(path)
    if sorted(shards) != sorted(expected):
        problems.append(f"splits {sorted(shards)}, expected {sorted(expected)}")
    samples = 0
    for split, paths in shards.items():
        if [int(re.search(r"-(\d{6})\.tar$", p)[1]) for p in paths] != list(range(len(paths))):
            problems.append(f"{split}: shards are not numbered from 0")
        seen = []
        for path in paths:
            in_shard = 0
            for sample in wds.WebDataset([path], shardshuffle=False).decode(png16):
                in_shard += 1
                record = json.loads(sample["json"]) if isinstance(sample["json"], bytes) else sample["json"]
                if "." in sample["__key__"]:
                    problems.append(f"{path}: key {sample['__key__']} has a dot")
                photo = sample.get(os.path.splitext(record["filename"])[1][1:].lower())
                if args.no_photos != (photo is None):
                    problems.append(f"{split}/{record['id']}: photo member {'present' if photo else 'missing'}")
                seen.append((record["subset"], record["id"]))
                problems += check_sample(
                    args.dataset, record["subset"], record, photo, sample["seg.png"], names, args.amodal, args.selection
                )
                samples += 1
            if args.shard_size and os.path.getsize(path) > args.shard_size and in_shard > 1:
                problems.append(f"{path}: {os.path.getsize(path)} bytes exceed the shard size {args.shard_size}")
        if seen != expected.get(split, []):
            problems.append(f"{split}: samples {seen} are not the source items")
    if shards:
        # The card's features: inferred from the first samples, a field null
        # in all of them (a part's parent) would refuse later values.
        loaded = datasets.load_dataset(args.out)
        for split, items in expected.items():
            if split not in loaded:
                continue
            table = loaded[split]
            label = table.features["json"]["objects"].feature["label"]
            if not isinstance(label, datasets.ClassLabel) or label.names != names:
                problems.append(f"{split}: datasets does not name the labels of labels.json")
            if [row["id"] for row in table["json"]] != [item_id for _, item_id in items]:
                problems.append(f"{split}: datasets reads other rows than the source items")
            for row in table:
                problems += check_sample(
                    args.dataset, row["json"]["subset"], row["json"], None, np.array(row["seg.png"]), names, args.amodal, args.selection
                )
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"{samples} samples in {sum(len(p) for p in shards.values())} shards match the source")


if __name__ == "__main__":
    main()
