#!/usr/bin/env python3
"""Checks a `parquet` export of an ADE20K dataset with pyarrow and `datasets`.

pyarrow reads every shard `data/{split}-{NNNNN}-of-{NNNNN}.parquet`: the
names must count their split's shards, the schema metadata must carry the
`huggingface` features, each shard must stay within --shard-size (when given)
unless it holds one row, and row groups within 100 MB. `datasets` then loads
the folder twice, `load_dataset("parquet", data_dir=OUT/data)` (the features
from the schema metadata) and `load_dataset(OUT)` (from the dataset card's
YAML); both must give the same features, a `ClassLabel` for the objects'
`label` and an `Image` for `image` and `annotation`. Every row, as `datasets`
decodes it, is compared with the source (see training_sample.py), and every
source item must be one row of its split.

Usage:
    python3 scripts/verify_parquet.py --dataset tests/assets/ade20k2020 --out out/parquet \\
        [--amodal] [--no-photos] [--shard-size BYTES] [--selection]

`--dataset` is the folder whose children are the subsets. Exits 1 on any mismatch.
"""

import glob
import json
import os
import re
import sys

import datasets
import numpy as np
import pyarrow.parquet as pq

from ade20k_source import source_items
from training_sample import check_sample, export_arguments

SPLITS = {"training": "train"}
ROW_GROUP_BYTES = 100_000_000


def check_shards(out, shard_size):
    problems, splits = [], {}
    for path in sorted(glob.glob(os.path.join(out, "data", "*.parquet"))):
        name = os.path.basename(path)
        match = re.fullmatch(r"(\w+)-(\d{5})-of-(\d{5})\.parquet", name)
        if not match:
            problems.append(f"{name}: not named {{split}}-NNNNN-of-NNNNN.parquet")
            continue
        splits.setdefault(match[1], []).append((int(match[2]), int(match[3])))
        shard = pq.ParquetFile(path)
        metadata = shard.schema_arrow.metadata or {}
        if b"huggingface" not in metadata:
            problems.append(f"{name}: no huggingface schema metadata")
        else:
            json.loads(metadata[b"huggingface"])["info"]["features"]
        for group in range(shard.metadata.num_row_groups):
            if shard.metadata.row_group(group).total_byte_size > ROW_GROUP_BYTES:
                problems.append(f"{name}: row group {group} exceeds 100 MB")
        if shard_size and os.path.getsize(path) > shard_size and shard.metadata.num_rows > 1:
            problems.append(f"{name}: {os.path.getsize(path)} bytes exceed the shard size {shard_size}")
        shard.read()  # every column of every row group decodes
    for split, numbers in splits.items():
        total = len(numbers)
        if sorted(numbers) != [(n, total) for n in range(total)]:
            problems.append(f"{split}: shards are not numbered 0..{total - 1} of {total}")
    return problems, splits


def main():
    args = export_arguments()
    problems, splits = check_shards(args.out, args.shard_size)
    by_parquet = datasets.load_dataset("parquet", data_dir=os.path.join(args.out, "data"))
    by_card = datasets.load_dataset(args.out)
    expected = {}
    for subset, item_id, _ in source_items(args.dataset):
        expected.setdefault(SPLITS.get(subset, subset), []).append((subset, item_id))
    if sorted(by_parquet) != sorted(expected) or sorted(by_card) != sorted(expected):
        problems.append(f"splits {sorted(by_parquet)} / {sorted(by_card)}, expected {sorted(expected)}")
    rows = 0
    for split, items in expected.items():
        if split not in by_parquet:
            continue
        table = by_parquet[split]
        features = table.features
        if by_card[split].features != features:
            problems.append(f"{split}: the card's features differ from the schema metadata's")
        label = features["objects"].feature["label"]
        if not isinstance(label, datasets.ClassLabel):
            problems.append(f"{split}: objects.label is {label}, not a ClassLabel")
            continue
        for column in ("image", "annotation"):
            if not isinstance(features[column], datasets.Image):
                problems.append(f"{split}: {column} is not an Image")
        written = [row["id"] for row in table.select_columns(["id"])]
        if written != [item_id for _, item_id in items]:
            problems.append(f"{split}: rows {written} are not the source items {items}")
        undecoded = table.cast_column("image", datasets.Image(decode=False))
        for (subset, _), row, raw in zip(items, table, undecoded):
            photo = raw["image"] and raw["image"]["bytes"]
            if args.no_photos != (photo is None):
                problems.append(f"{split}/{row['id']}: photo bytes {'present' if photo else 'missing'}")
            if photo is not None:
                source = np.array(datasets.Image().decode_example({"bytes": photo, "path": None}))
                if not np.array_equal(np.array(row["image"]), source):
                    problems.append(f"{split}/{row['id']}: the decoded image differs from its bytes")
            problems += check_sample(
                args.dataset, subset, row, photo, np.array(row["annotation"]), label.names, args.amodal, args.selection
            )
            rows += 1
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"{rows} rows in {sum(len(s) for s in splits.values())} shards match the source")


if __name__ == "__main__":
    main()
