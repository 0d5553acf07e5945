#!/usr/bin/env python3
"""Checks a semantic-mask export of an ADE20K dataset against the source.

For every item of the source (a `<name>.json` beside its `<name>_seg.png`), it
reads `annotations/<subset>/<name>.png` of the output with Pillow and NumPy and
checks its PNG header (grey, 8 or 16 bits, the same depth for every file), its
size, and every pixel: the source class map (`_seg.png`, or `_parts_N.png`
with --parts-level N) is decoded here as (R // 10) * 256 + G and mapped

- without --labels: to itself (pixel value = ADE class index, 16-bit);
- with --labels sceneparsing150: through the benchmark's map from class index
  to its 150 classes, as its converter (convertFromADE.m) applies it: the
  `ade_classes` column of crates/ade20k-export/data/sceneparsing150.tsv, or,
  with --official-map, the benchmark's own mapFromADE.txt (`<id>\t<class index>`
  rows); names play no part. Other classes become 0. Values must lie in 0..150,
  masks must be 8-bit, and the per-class pixel counts must match.

An item without the part level must have an all-zero mask. `dataset_meta.json`
must name value 0 `background`, list the classes present (by index) or the 150
labels in order, and give a colour per value. If Datumaro is installed, each
subset is also imported as `common_semantic_segmentation` (masks in `masks/`
beside `dataset_meta.json`, linked from the output) and its item and label
counts compared; Datumaro reads masks as 8-bit, so the per-class comparison
with it only runs on 8-bit output.

Usage:
    python3 scripts/verify_semantic.py --dataset tests/assets/ade20k2020 --out out/semantic \\
        [--labels sceneparsing150 [--official-map mapFromADE.txt]] [--parts-level N]

`--dataset` is the folder whose children are the subsets. Exits 1 on any mismatch.
"""

import argparse
import json
import os
import re
import sys
import tempfile
from collections import Counter

import numpy as np
from PIL import Image

from ade20k_source import load_annotation_json

SCENE_PARSING_150 = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "crates", "ade20k-export", "data", "sceneparsing150.tsv"
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def first_synonym(name):
    return re.split("[,;]", name)[0].strip().lower()


def scene_parsing_labels():
    """(names in benchmark order, colours, {class index: id}) from the shipped table."""
    names, colors, ids = [], [], {}
    with open(SCENE_PARSING_150, encoding="utf-8") as table:
        rows = [line.rstrip("\n").split("\t") for line in table if line.strip() and not line.startswith("#")]
    for index, name, _isthing, color, ade_classes in rows[1:]:
        assert int(index) == len(names) + 1
        names.append(name)
        colors.append([int(c) for c in color.split(",")])
        for class_index in ade_classes.split(","):
            ids[int(class_index)] = int(index)
    return names, colors, ids


def official_map(path):
    """{class index: id} from the benchmark's mapFromADE.txt."""
    ids = {}
    with open(path, encoding="utf-8") as table:
        for line in table:
            if line.strip():
                label, class_index = line.split()[:2]
                ids[int(class_index)] = int(label)
    return ids


def source_items(dataset):
    """(subset, item id, folder, stem) of every item: a JSON file beside its `_seg.png`."""
    items = []
    for subset in sorted(os.listdir(dataset)):
        root = os.path.join(dataset, subset)
        if not os.path.isdir(root):
            continue
        for folder, _dirs, files in os.walk(root):
            for name in files:
                stem, ext = os.path.splitext(name)
                if ext == ".json" and os.path.isfile(os.path.join(folder, stem + "_seg.png")):
                    item_id = os.path.relpath(os.path.join(folder, stem), root).replace(os.sep, "/")
                    items.append((subset, item_id, folder, stem))
    return sorted(items)


def decode_class_map(path):
    rgb = np.array(Image.open(path).convert("RGB")).astype(np.int64)
    return (rgb[:, :, 0] // 10) * 256 + rgb[:, :, 1]


def png_header(path):
    """(width, height, bit depth, colour type) from the IHDR chunk."""
    with open(path, "rb") as f:
        head = f.read(29)
    if head[:8] != PNG_SIGNATURE or head[12:16] != b"IHDR":
        return None
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big"), head[24], head[25]


def expected_mask(class_map, ids):
    if ids is None:
        return class_map
    lut = np.zeros(int(class_map.max()) + 1, dtype=np.int64)
    for class_index, label in ids.items():
        if class_index < len(lut):
            lut[class_index] = label
    return lut[class_map]


def check_meta(out, listed, colors, present, class_names, failures):
    meta = json.load(open(os.path.join(out, "dataset_meta.json"), encoding="utf-8"))
    label_map = {int(k): v for k, v in meta["label_map"].items()}
    if list(label_map) != sorted(label_map):
        failures.append("dataset_meta.json: label_map is not in pixel-value order")
    if label_map.get(0) != "background" or str(meta.get("background_label")) != "0":
        failures.append("dataset_meta.json: value 0 is not the background")
    seg_colors = meta["segmentation_colors"]
    if len(seg_colors) <= max(label_map) or any(len(c) != 3 for c in seg_colors):
        failures.append("dataset_meta.json: segmentation_colors do not cover every value")
    if listed is not None:
        if [label_map.get(i) for i in range(1, len(listed) + 1)] != listed or len(label_map) != len(listed) + 1:
            failures.append("dataset_meta.json: label_map differs from the benchmark's names")
        if seg_colors[1 : len(listed) + 1] != colors:
            failures.append("dataset_meta.json: colours differ from the benchmark's")
    else:
        if set(label_map) - {0} != present:
            failures.append(f"dataset_meta.json: lists {sorted(set(label_map) - {0})}, masks hold {sorted(present)}")
        for value in present & set(label_map):
            names = class_names.get(value, set())
            if label_map[value] not in names | {first_synonym(n) for n in names}:
                failures.append(f"dataset_meta.json: {value} named {label_map[value]!r}, source says {names}")
    return label_map


def check_with_datumaro(out, subsets, label_map, masks, depth, failures):
    """Imports each subset with Datumaro and compares item, label and per-item counts."""
    try:
        from datumaro.components.annotation import AnnotationType
        from datumaro.components.dataset import Dataset
    except ImportError:
        print("verify_semantic: Datumaro is not installed; skipped the import with it")
        return
    compared = 0
    with tempfile.TemporaryDirectory() as views:
        for subset in subsets:
            view = os.path.join(views, subset)
            os.makedirs(view)
            os.symlink(os.path.abspath(os.path.join(out, "dataset_meta.json")), os.path.join(view, "dataset_meta.json"))
            os.symlink(os.path.abspath(os.path.join(out, "annotations", subset)), os.path.join(view, "masks"))
            images = os.path.join(out, "images", subset)
            if os.path.isdir(images):
                os.symlink(os.path.abspath(images), os.path.join(view, "images"))
            dataset = Dataset.import_from(view, "common_semantic_segmentation")
            expected = {item_id.split("/")[-1]: mask for (s, item_id), mask in masks.items() if s == subset}
            if len(dataset) != len(expected):
                failures.append(f"datumaro: {subset} has {len(dataset)} items, {len(expected)} expected")
            labels = dataset.categories()[AnnotationType.label]
            if len(labels) != len(label_map):
                failures.append(f"datumaro: {len(labels)} labels, {len(label_map)} expected")
            if depth != 8:
                continue
            for item in dataset:
                mask = expected.get(item.id)
                if mask is None:
                    failures.append(f"datumaro: unexpected item {subset}/{item.id}")
                    continue
                got = {int(ann.label): int(ann.image.sum()) for ann in item.annotations if ann.label != 0}
                want = {int(v): int(n) for v, n in zip(*np.unique(mask, return_counts=True)) if v != 0}
                if got != want:
                    failures.append(f"datumaro: {subset}/{item.id}: per-label pixels {got} != {want}")
                compared += 1
    if depth == 8:
        print(f"verify_semantic: Datumaro imported {compared} masks with the same labels and pixel counts")
    else:
        print("verify_semantic: Datumaro reads masks as 8-bit; compared its item and label counts only")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True, help="folder whose children are subsets")
    parser.add_argument("--out", required=True, help="the semantic output folder")
    parser.add_argument("--labels", choices=["sceneparsing150"], help="the export used --labels sceneparsing150")
    parser.add_argument("--official-map", help="with --labels: check pixels against this mapFromADE.txt")
    parser.add_argument("--parts-level", type=int, default=0, help="the export used --parts-level N")
    args = parser.parse_args()
    listed, colors, ids = scene_parsing_labels() if args.labels else (None, None, None)
    if args.official_map:
        if not args.labels:
            parser.error("--official-map needs --labels sceneparsing150")
        ids = official_map(args.official_map)
    failures = []
    depths = set()
    masks = {}
    present = set()
    class_names = {}
    pixel_counts = Counter()
    items = source_items(args.dataset)
    for subset, item_id, folder, stem in items:
        annotation = load_annotation_json(os.path.join(folder, stem + ".json"))
        for obj in annotation["object"]:
            class_names.setdefault(obj["name_ndx"], set()).add(obj["name"])
        path = os.path.join(args.out, "annotations", subset, item_id + ".png")
        header = png_header(path) if os.path.isfile(path) else None
        if header is None:
            failures.append(f"{subset}/{item_id}: no PNG annotation")
            continue
        width, height, depth, color_type = header
        depths.add(depth)
        if color_type != 0:
            failures.append(f"{subset}/{item_id}: PNG colour type {color_type}, grey (0) expected")
        level = "_seg.png" if args.parts_level == 0 else f"_parts_{args.parts_level}.png"
        source = os.path.join(folder, stem + level)
        if os.path.isfile(source):
            expected = expected_mask(decode_class_map(source), ids)
        else:
            size = Image.open(os.path.join(folder, stem + "_seg.png")).size
            expected = np.zeros((size[1], size[0]), dtype=np.int64)
        written = np.array(Image.open(path)).astype(np.int64)
        masks[(subset, item_id)] = written
        if written.shape != expected.shape or (height, width) != expected.shape:
            failures.append(f"{subset}/{item_id}: size {written.shape}, {expected.shape} expected")
            continue
        if not np.array_equal(written, expected):
            failures.append(f"{subset}/{item_id}: {int(np.sum(written != expected))} pixels differ")
        values = set(np.unique(written).tolist()) - {0}
        present |= values
        pixel_counts.update({v: int(n) for v, n in zip(*np.unique(written, return_counts=True)) if v != 0})
    written_files = {
        (subset, os.path.relpath(os.path.join(folder, name), os.path.join(args.out, "annotations", subset))[:-4])
        for subset in os.listdir(os.path.join(args.out, "annotations"))
        for folder, _dirs, files in os.walk(os.path.join(args.out, "annotations", subset))
        for name in files
    }
    for extra in sorted(written_files - {(s, i) for s, i, _f, _n in items}):
        failures.append(f"{extra[0]}/{extra[1]}: annotation of no source item")
    want_depth = 8 if listed is not None else 16
    if depths and depths != {want_depth}:
        failures.append(f"bit depths {sorted(depths)}, {want_depth} expected for every file")
    if listed is not None and present - set(range(1, len(listed) + 1)):
        failures.append(f"values outside 0..{len(listed)}: {sorted(present - set(range(1, 151)))}")
    label_map = check_meta(args.out, listed, colors, present, class_names, failures)
    check_with_datumaro(args.out, sorted({s for s, _i, _f, _n in items}), label_map, masks, want_depth, failures)
    for failure in failures:
        print("MISMATCH", failure)
    print(
        f"verify_semantic: {len(masks)} masks of {len(items)} items, {want_depth}-bit, "
        f"{len(present)} labels, {sum(pixel_counts.values())} labeled pixels checked against the source; "
        f"{len(failures)} mismatches"
    )
    if not masks:
        print("verify_semantic: nothing was checked")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
