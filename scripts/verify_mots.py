#!/usr/bin/env python3
"""Checks a MOTS PNG export of an ADE20K dataset against the source.

Reads the source dataset itself (JSON and instance masks) and the output with
Pillow and NumPy, and checks, for every item:

- `<subset>/instances/<id>.png` exists (and the image `<subset>/images/<id>.<ext>`
  when images were written), and every subset's `instances/labels.txt` names,
  line n for id n, every class of the dataset by class index under its
  canonical name;
- the instance map is 16-bit grey; `value // 1000` equals, pixel for pixel, the
  label id of the level-0 object whose visible instance mask (value 255) holds
  the pixel, and the value is 0 exactly where no such object is seen;
- the visible mask of each level-0 object is one value of its own, numbered
  from 1 per class and image (past 999, or 535 for id 65, the class's group,
  instance 0).

Then Datumaro's own importer (`Dataset.import_from(out, "mots")`, Datumaro
1.13.12: `pip install -r scripts/requirements-datumaro.txt`) must find every
item with its image (when images were written), the labels of `labels.txt` in
order, and one mask per non-zero value, of label `value // 1000 - 1` and
`track_id` `value % 1000`, which equals the visible instance mask of its
object in the source pixel for pixel. Without Datumaro that part is skipped,
with a message.

Usage:
    python3 scripts/verify_mots.py --dataset tests/assets/ade20k2020 --out out/mots

`--dataset` is the folder whose children are the subsets; the export must
have used the default label selection (every class). Exits 1 on any mismatch.
"""

import argparse
import os
import sys

import numpy as np
from PIL import Image

from datumaro_import import NOT_INSTALLED, describe, import_masks
from verify_cityscapes import canonical_names
from verify_kitti import read_source, visible_objects

INSTANCES_PER_CLASS = 1000


def last_instance(label_id):
    """The last instance number of a label: 999, or what 16 bits leave."""
    return min(INSTANCES_PER_CLASS - 1, 65535 - label_id * INSTANCES_PER_CLASS)


def check_datumaro(out, names, expected_items, failures):
    """Imports `out` with Datumaro and compares its masks with the source's;
    returns a one-line result or the reason it was skipped."""

    def value_of(annotation, key):
        return (annotation.label + 1) * INSTANCES_PER_CLASS + int(annotation.attributes["track_id"])

    result = import_masks(out, "mots", names, "labels.txt", expected_items, failures, value_of)
    if result is None:
        return NOT_INSTALLED
    version, imported = result
    for key, (item, found) in imported.items():
        expected_masks, with_image = expected_items[key]
        if with_image and item.media is None:
            failures.append(f"Datumaro found no image for {key}")
        if set(found) != set(expected_masks):
            failures.append(f"Datumaro {key}: masks {sorted(found)}, expected {sorted(expected_masks)}")
        for value, source in expected_masks.items():
            if value in found and not np.array_equal(found[value], source):
                failures.append(
                    f"Datumaro {key}: mask {value} differs from the source on {int(np.sum(found[value] != source))} pixels"
                )
    return describe(version, imported)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True, help="folder whose children are subsets")
    parser.add_argument("--out", required=True, help="the mots output folder")
    args = parser.parse_args()
    failures = []

    items, classes, id_of_class = read_source(args.dataset)
    canonical = canonical_names(classes)
    names = [canonical[index] for index in classes]
    for subset in sorted({subset for subset, *_ in items}):
        path = os.path.join(args.out, subset, "instances", "labels.txt")
        if not os.path.isfile(path):
            failures.append(f"{subset}: no instances/labels.txt")
        elif open(path, encoding="utf-8").read().splitlines() != names:
            failures.append(f"{subset}: labels.txt differs from {names}")

    pixels = instances = 0
    datumaro_items = {}
    for subset, item_id, json_path, annotation in items:
        where = f"{subset}/{item_id}"
        path = os.path.join(args.out, subset, "instances", f"{item_id}.png")
        if not os.path.isfile(path):
            failures.append(f"{where}: missing {path}")
            continue
        with_image = os.path.isdir(os.path.join(args.out, subset, "images"))
        if with_image:
            image_ext = os.path.splitext(annotation["filename"])[1]
            if not os.path.isfile(os.path.join(args.out, subset, "images", item_id + image_ext)):
                failures.append(f"{where}: no image in images/")

        objects, expected = visible_objects(json_path, annotation, id_of_class)
        image = Image.open(path)
        values = np.array(image).astype(np.int64)
        if image.mode not in ("I;16", "I;16B", "I") or values.shape != expected.shape:
            failures.append(f"{where}: instance map mode {image.mode} size {values.shape} (16-bit expected)")
            continue
        differ = int(np.sum(values // INSTANCES_PER_CLASS != expected))
        if differ:
            failures.append(f"{where}: {differ} pixels of another class than the instance masks")
        if not np.array_equal(values == 0, expected == 0):
            failures.append(f"{where}: background differs from where no object is seen")
        pixels += values.size

        expected_masks = {}
        per_label = {}
        for label_id, visible in objects:
            numbered = per_label.setdefault(label_id, [])
            if len(numbered) >= last_instance(label_id):
                value = label_id * INSTANCES_PER_CLASS
                expected_masks[value] = expected_masks.get(value, np.zeros_like(visible)) | visible
                continue
            found = np.unique(values[visible]).tolist()
            if len(found) != 1:
                failures.append(f"{where}: an object's visible mask has values {found}")
            numbered.append(found[0])
            expected_masks[found[0]] = visible
        for label_id, numbered in per_label.items():
            numbers = sorted(v % INSTANCES_PER_CLASS for v in numbered)
            if numbers != list(range(1, len(numbered) + 1)):
                failures.append(f"{where}: label {label_id} numbered {numbers}")
            instances += len(numbered)
        datumaro_items[(subset, item_id)] = (expected_masks, with_image)

    datumaro = check_datumaro(args.out, names, datumaro_items, failures)
    for failure in failures:
        print("MISMATCH", failure)
    print(
        f"verify_mots: {len(items)} items, {pixels} pixels, {instances} instances checked "
        f"against the source; {datumaro}; {len(failures)} mismatches"
    )
    if not items:
        print("verify_mots: nothing was checked")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
