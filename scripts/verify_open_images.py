#!/usr/bin/env python3
"""Checks an Open Images V6 segmentation export of an ADE20K dataset against the source.

Reads the source dataset itself (JSON and instance masks) and the output with
the standard library's CSV reader, Pillow and NumPy, and checks:

- `annotations/<subset>-images-with-rotation.csv` lists every item once, by
  `ImageID` `<name>` (the item id with `/` replaced by `_`) and `Subset`,
  and `annotations/images.meta` gives its height and width; the image is in
  `images/<subset>/` when images were written;
- every object of the source with pixels in its visible (with --amodal,
  amodal) mask, parts included, has exactly one row of
  `annotations/<subset>-annotations-object-segmentation.csv`, matched by
  `BoxID` (its ADE id in 8 hex digits), with `LabelName` `/ade20k/<class
  index>`, `MaskPath` `<name>_ade20k<class index>_<BoxID>.png`, the box of
  the mask normalised by the image size, and empty `PredictedIoU` and
  `Clicks`; no other row exists;
- each mask PNG in `masks/<subset>/` is 8-bit grey of the image's size, 255
  exactly on the source mask's pixels and 0 elsewhere;
- `annotations/oidv6-class-descriptions.csv` names every label written once,
  by its canonical name (in any order: the dataset's label order, if it has
  one, comes first).

Then Datumaro's own importer (`Dataset.import_from(out, "open_images")`,
Datumaro 1.13.12: `pip install -r scripts/requirements-datumaro.txt`) must
find every item in its subset (with its image when images were written), the
labels of the class descriptions by `LabelName`, and one mask per row whose
label is the row's and whose pixels, scaled by Datumaro to the image size,
equal the source mask. Without Datumaro that part is skipped, with a message.

Usage:
    python3 scripts/verify_open_images.py --dataset tests/assets/ade20k2020 --out out/oi [--amodal]

`--dataset` is the folder whose children are the subsets; the export must
have used the default label selection (every class) and kept the parts.
Exits 1 on any mismatch.
"""

import argparse
import csv
import os
import shlex
import sys

import numpy as np
from PIL import Image

from ade20k_source import load_annotation_json, source_items, source_mask
from datumaro_import import NOT_INSTALLED, describe, import_masks
from verify_cityscapes import canonical_names

MASK_FIELDS = ["MaskPath", "ImageID", "LabelName", "BoxID", "BoxXMin", "BoxXMax", "BoxYMin", "BoxYMax",
               "PredictedIoU", "Clicks"]


def read_csv(path, failures, fields=None):
    """The rows of `path` as dicts; checks the header when `fields` is given."""
    if not os.path.isfile(path):
        failures.append(f"missing {path}")
        return []
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        if fields is not None and reader.fieldnames != fields:
            failures.append(f"{path}: header {reader.fieldnames}")
    return rows


def read_meta(path, failures):
    """{name: (height, width)} of `images.meta`."""
    meta = {}
    if not os.path.isfile(path):
        failures.append(f"missing {path}")
        return meta
    with open(path, encoding="utf-8") as f:
        for line in f:
            words = shlex.split(line, comments=True)
            if words:
                meta[words[0]] = (int(words[1]), int(words[2]))
    return meta


def check_rows(where, out, subset, name, rows, sources, size, failures):
    """Checks the mask rows and PNGs of one item; returns {BoxID: source mask}."""
    height, width = size
    by_box = {}
    for row in rows:
        if row["BoxID"] in by_box:
            failures.append(f"{where}: box {row['BoxID']} listed twice")
        by_box[row["BoxID"]] = row
    expected_boxes = {f"{ade_id:08x}": ade_id for ade_id in sources}
    if set(by_box) != set(expected_boxes):
        failures.append(f"{where}: boxes {sorted(by_box)}, objects with pixels {sorted(expected_boxes)}")
    masks = {}
    for box_id, row in by_box.items():
        if box_id not in expected_boxes:
            continue
        obj, source = sources[expected_boxes[box_id]]
        what = f"{where} box {box_id}"
        index = int(obj["name_ndx"])
        if row["LabelName"] != f"/ade20k/{index}":
            failures.append(f"{what}: LabelName {row['LabelName']}, class {index}")
        if row["MaskPath"] != f"{name}_ade20k{index}_{box_id}.png":
            failures.append(f"{what}: MaskPath {row['MaskPath']}")
        if row["PredictedIoU"] or row["Clicks"]:
            failures.append(f"{what}: PredictedIoU {row['PredictedIoU']!r}, Clicks {row['Clicks']!r}")
        ys, xs = np.nonzero(source)
        box = [xs.min() / width, (xs.max() + 1) / width, ys.min() / height, (ys.max() + 1) / height]
        written = [float(row[field]) for field in ("BoxXMin", "BoxXMax", "BoxYMin", "BoxYMax")]
        if not np.allclose(written, box, rtol=0, atol=1e-12):
            failures.append(f"{what}: box {written}, mask box {box}")
        path = os.path.join(out, "masks", subset, row["MaskPath"])
        if not os.path.isfile(path):
            failures.append(f"{what}: missing {path}")
            continue
        image = Image.open(path)
        pixels = np.array(image)
        if image.mode != "L" or pixels.shape != (height, width):
            failures.append(f"{what}: mask mode {image.mode} size {pixels.shape}, image {(height, width)}")
            continue
        if not set(np.unique(pixels).tolist()) <= {0, 255}:
            failures.append(f"{what}: mask values {np.unique(pixels).tolist()}")
        differ = int(np.sum((pixels == 255) != source))
        if differ:
            failures.append(f"{what}: mask differs from the source on {differ} pixels")
        masks[box_id] = source
    return masks


def check_datumaro(out, names, expected_items, failures):
    """Imports `out` with Datumaro and compares its masks with the source's;
    returns a one-line result or the reason it was skipped."""

    def value_of(annotation, key):
        box_id = annotation.attributes.get("box_id")
        label = names[annotation.label] if annotation.label is not None else None
        if label != expected_items[key][1].get(box_id):
            failures.append(f"Datumaro {key}: mask {box_id} has label {label}")
        return box_id

    result = import_masks(out, "open_images", names, "oidv6-class-descriptions.csv", expected_items,
                          failures, value_of)
    if result is None:
        return NOT_INSTALLED
    version, imported = result
    for key, (item, found) in imported.items():
        masks, _, with_image = expected_items[key]
        if with_image and item.media is None:
            failures.append(f"Datumaro found no image for {key}")
        if set(found) != set(masks):
            failures.append(f"Datumaro {key}: masks {sorted(found)}, expected {sorted(masks)}")
        for box_id, source in masks.items():
            if box_id in found and not np.array_equal(found[box_id], source):
                failures.append(f"Datumaro {key}: mask {box_id} differs from the source")
    return describe(version, imported)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True, help="folder whose children are subsets")
    parser.add_argument("--out", required=True, help="the open_images output folder")
    parser.add_argument("--amodal", action="store_true", help="the export was made with --amodal")
    args = parser.parse_args()
    failures = []
    annotations_dir = os.path.join(args.out, "annotations")

    items = source_items(args.dataset)
    meta = read_meta(os.path.join(annotations_dir, "images.meta"), failures)
    listed, rows_of = {}, {}
    for subset in sorted({subset for subset, _, _ in items}):
        for row in read_csv(os.path.join(annotations_dir, f"{subset}-images-with-rotation.csv"), failures):
            listed.setdefault((row["Subset"], row["ImageID"]), 0)
            listed[(row["Subset"], row["ImageID"])] += 1
        path = os.path.join(annotations_dir, f"{subset}-annotations-object-segmentation.csv")
        for row in read_csv(path, failures, MASK_FIELDS):
            rows_of.setdefault((subset, row["ImageID"]), []).append(row)

    classes = {}
    expected_items = {}
    masks_checked = 0
    for subset, item_id, json_path in items:
        annotation = load_annotation_json(json_path)
        name = item_id.replace("/", "_")
        key = (subset, name)
        where = f"{subset}/{item_id}"
        if listed.pop(key, 0) != 1:
            failures.append(f"{where}: not listed once in {subset}-images-with-rotation.csv")
        folder = os.path.dirname(json_path)
        sources = {}
        for obj in annotation["object"]:
            mask = source_mask(os.path.join(folder, obj["instance_mask"]), args.amodal)
            if mask.any():
                sources[obj["id"]] = (obj, mask)
                classes[int(obj["name_ndx"])] = obj["name"]
        size = next(iter(sources.values()))[1].shape if sources else tuple(annotation["imsize"][:2])
        if meta.get(name) != tuple(size):
            failures.append(f"{where}: images.meta gives {meta.get(name)}, source {size}")
        image_ext = os.path.splitext(annotation["filename"])[1]
        with_image = os.path.isdir(os.path.join(args.out, "images"))
        if with_image and not os.path.isfile(os.path.join(args.out, "images", subset, name + image_ext)):
            failures.append(f"{where}: no image in images/{subset}/")
        masks = check_rows(where, args.out, subset, name, rows_of.pop(key, []), sources, size, failures)
        masks_checked += len(masks)
        labels = {f"{obj['id']:08x}": f"/ade20k/{obj['name_ndx']}" for obj, _ in sources.values()}
        expected_items[key] = (masks, labels, with_image)
    for key in listed:
        failures.append(f"{key} is listed but not in the source")
    for key in rows_of:
        failures.append(f"mask rows of {key}, which is not in the source")

    descriptions = read_csv(os.path.join(annotations_dir, "oidv6-class-descriptions.csv"), failures,
                            ["LabelName", "DisplayName"])
    canonical = canonical_names(dict(sorted(classes.items())))
    expected = [{"LabelName": f"/ade20k/{index}", "DisplayName": canonical[index]} for index in sorted(classes)]
    # In the dataset's label order where it has one, else by class index.
    described = sorted(descriptions, key=lambda row: int(row["LabelName"].rsplit("/", 1)[1]))
    if described != expected:
        failures.append(f"class descriptions {described[:3]}..., expected {expected[:3]}...")
    names = [row["LabelName"] for row in descriptions]

    datumaro = check_datumaro(args.out, names, expected_items, failures)
    for failure in failures:
        print("MISMATCH", failure)
    print(
        f"verify_open_images: {len(items)} items, {masks_checked} masks checked against the source; "
        f"{datumaro}; {len(failures)} mismatches"
    )
    if not items:
        print("verify_open_images: nothing was checked")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
