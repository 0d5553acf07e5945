#!/usr/bin/env python3
"""Checks a CamVid export of an ADE20K dataset against the source.

Reads the source dataset itself (JSON and instance masks) and the output with
Pillow and NumPy, and checks:

- `label_colors.txt` lists `unlabeled` (black) and every class of the dataset
  by class index, under its canonical name with white space replaced by `_`,
  each in a colour of its own;
- `<subset>.txt` has one line `/<subset>/<name>.<ext> /<subset>annot/<name>.png`
  per item, in id order, `<name>` being the item id with `/` replaced by `_`
  (and the photo is there when images were written);
- each mask `<subset>annot/<name>.png` is 8-bit RGB and holds, pixel for pixel,
  the colour of the label of the level-0 object whose visible instance mask
  (value 255) holds the pixel, black where none is seen.

Then Datumaro's own importer (`Dataset.import_from(out, "camvid")`, Datumaro
1.13.12: `pip install -r scripts/requirements-datumaro.txt`) must find every
item, the labels of `label_colors.txt` in order, and one mask per label
present, which equals, pixel for pixel, the union of the source's visible
masks of that label (of no label, for label 0). Without Datumaro that part is
skipped, with a message.

Usage:
    python3 scripts/verify_camvid.py --dataset tests/assets/ade20k2020 --out out/camvid

`--dataset` is the folder whose children are the subsets; the export must
have used the default label selection (every class). Exits 1 on any mismatch.
"""

import argparse
import os
import sys

import numpy as np
from PIL import Image

from datumaro_import import NOT_INSTALLED, describe, import_masks
from verify_cityscapes import canonical_names, label_file_name, read_label_colors
from verify_kitti import read_source, visible_objects


def check_datumaro(out, names, expected_items, failures):
    """Imports `out` with Datumaro and compares its masks with the source's;
    returns a one-line result or the reason it was skipped."""
    result = import_masks(
        out, "camvid", names, "label_colors.txt", expected_items, failures, lambda annotation, key: annotation.label
    )
    if result is None:
        return NOT_INSTALLED
    version, imported = result
    for key, (_, found) in imported.items():
        expected = expected_items[key]
        labels = set(np.unique(expected).tolist())
        if set(found) != labels:
            failures.append(f"Datumaro {key}: masks of labels {sorted(found)}, expected {sorted(labels)}")
        for label, mask in found.items():
            if not np.array_equal(mask, expected == label):
                failures.append(f"Datumaro {key}: mask of label {label} differs from the source")
    return describe(version, imported)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True, help="folder whose children are subsets")
    parser.add_argument("--out", required=True, help="the camvid output folder")
    args = parser.parse_args()
    failures = []

    items, classes, id_of_class = read_source(args.dataset)
    label_colors = read_label_colors(os.path.join(args.out, "label_colors.txt"))
    taken = {"unlabeled"}
    canonical = canonical_names(classes)
    names = ["unlabeled"] + [
        label_file_name(canonical[index], label_id, taken) for label_id, index in enumerate(classes, start=1)
    ]
    if [name for name, _ in label_colors] != names:
        failures.append(f"label_colors.txt names {[n for n, _ in label_colors]}, expected {names}")
    if label_colors and label_colors[0] != ("unlabeled", (0, 0, 0)):
        failures.append(f"label 0 is {label_colors[0]}, expected unlabeled, black")
    if len({color for _, color in label_colors}) != len(label_colors):
        failures.append("two labels share a colour")
    colors = np.array([color for _, color in label_colors] or [(0, 0, 0)], dtype=np.int64)

    lists = {}
    pixels = 0
    datumaro_items = {}
    for subset, item_id, json_path, annotation in items:
        name = item_id.replace("/", "_")
        where = f"{subset}/{item_id}"
        image = f"{name}{os.path.splitext(annotation['filename'])[1]}"
        lists.setdefault(subset, []).append(f"/{subset}/{image} /{subset}annot/{name}.png")
        if os.path.isdir(os.path.join(args.out, subset)) and not os.path.isfile(os.path.join(args.out, subset, image)):
            failures.append(f"{where}: no photo {subset}/{image}")
        path = os.path.join(args.out, f"{subset}annot", f"{name}.png")
        if not os.path.isfile(path):
            failures.append(f"{where}: missing {path}")
            continue
        _, expected = visible_objects(json_path, annotation, id_of_class)
        mask_image = Image.open(path)
        mask = np.array(mask_image).astype(np.int64)
        if mask_image.mode != "RGB" or mask.shape[:2] != expected.shape:
            failures.append(f"{where}: mask mode {mask_image.mode} size {mask.shape}")
            continue
        differ = int(np.sum(np.any(mask != colors[expected], axis=-1)))
        if differ:
            failures.append(f"{where}: {differ} mask pixels differ from the label colours of the instance masks")
        pixels += expected.size
        datumaro_items[(subset, name)] = expected
    for subset, lines in lists.items():
        path = os.path.join(args.out, f"{subset}.txt")
        if not os.path.isfile(path) or open(path, encoding="utf-8").read().splitlines() != lines:
            failures.append(f"{subset}.txt does not list {lines[:2]}...")

    datumaro = check_datumaro(args.out, names, datumaro_items, failures)
    for failure in failures:
        print("MISMATCH", failure)
    print(
        f"verify_camvid: {len(items)} items, {pixels} mask pixels checked against the source; "
        f"{datumaro}; {len(failures)} mismatches"
    )
    if not items:
        print("verify_camvid: nothing was checked")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
