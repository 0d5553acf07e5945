#!/usr/bin/env python3
"""Checks a Segment Anything (SA-1B) export of an ADE20K dataset against the source.

Reads the source dataset itself (JSON and instance masks) with Pillow and
NumPy, and each `<subset>/<name>.json` of the output (`<name>` being the item
id with `/` replaced by `_`), and checks, for every item:

- the file's keys are exactly `image` and `annotations`, and `image` holds
  exactly `image_id`, `width`, `height` and `file_name` (`<name>.<ext>`, the
  image beside the file when images were written); image ids and annotation
  ids are 1, 2, ... within each subset;
- every object of the source with pixels in its visible (with --amodal,
  amodal) mask, parts included, has exactly one annotation (matched by
  `attributes.ade_id`), whose `segmentation`, decoded by pycocotools, equals
  that mask pixel for pixel; `area` and `bbox` are pycocotools' own of it;
  `point_coords` is one pixel of it; `crop_box` is the whole image;
  `predicted_iou` and `stability_score` are 1.0; `category_id` is the ADE
  class index and `category_name` the class name; a part's
  `attributes.parent_id` is the annotation id of its whole.

Then Datumaro's own importer (`Dataset.import_from(<out>/<subset>,
"segment_anything")`, Datumaro 1.13.12: `pip install -r
scripts/requirements-datumaro.txt`) must find every item of the subset by
`<name>`, with its image when images were written, and one RLE mask per
annotation (id = the annotation's id), equal to the source mask pixel for
pixel. Without Datumaro that part is skipped, with a message.

Usage:
    python3 scripts/verify_segment_anything.py --dataset tests/assets/ade20k2020 --out out/sa [--amodal]

`--dataset` is the folder whose children are the subsets; the export must
have used the default label selection (every class) and kept the parts.
Exits 1 on any mismatch.
"""

import argparse
import json
import os
import sys

import numpy as np
from pycocotools import mask as mask_utils

from ade20k_source import load_annotation_json, source_mask, source_items
from datumaro_import import NOT_INSTALLED

IMAGE_FIELDS = {"image_id", "width", "height", "file_name"}


def parent_of(obj):
    """The ADE id of the whole `obj` is a part of, or None."""
    parent = obj["parts"]["ispartof"]
    if isinstance(parent, list):
        return parent[0] if parent else None
    return parent


def check_item(where, path, json_path, annotation, amodal, failures):
    """Checks one output file against its source item; returns the file's
    contents and {annotation id: source mask}, or None when unreadable."""
    if not os.path.isfile(path):
        failures.append(f"{where}: missing {path}")
        return None
    with open(path, encoding="utf-8") as f:
        contents = json.load(f)
    if set(contents) != {"image", "annotations"}:
        failures.append(f"{where}: top-level keys {sorted(contents)}")
        return None
    image = contents["image"]
    if set(image) != IMAGE_FIELDS:
        failures.append(f"{where}: image fields {sorted(image)}")
        return None
    folder = os.path.dirname(json_path)
    sources = {}
    for obj in annotation["object"]:
        mask = source_mask(os.path.join(folder, obj["instance_mask"]), amodal)
        if mask.any():
            sources[obj["id"]] = (obj, mask)
    height, width = next(iter(sources.values()))[1].shape if sources else annotation["imsize"][:2]
    if (image["width"], image["height"]) != (width, height):
        failures.append(f"{where}: image size {image['width']}x{image['height']}, source {width}x{height}")
    by_ade_id = {}
    for record in contents["annotations"]:
        ade_id = record["attributes"]["ade_id"]
        if ade_id in by_ade_id:
            failures.append(f"{where}: object {ade_id} written twice")
        by_ade_id[ade_id] = record
    if set(by_ade_id) != set(sources):
        failures.append(f"{where}: objects {sorted(by_ade_id)} written, {sorted(sources)} have pixels")
    masks = {}
    for ade_id, record in by_ade_id.items():
        if ade_id not in sources:
            continue
        obj, source = sources[ade_id]
        what = f"{where} object {ade_id}"
        rle = dict(record["segmentation"])
        if rle["size"] != [height, width] or not isinstance(rle["counts"], str):
            failures.append(f"{what}: segmentation size {rle['size']} or counts not a string")
            continue
        rle["counts"] = rle["counts"].encode()
        decoded = mask_utils.decode(rle).astype(bool)
        if not np.array_equal(decoded, source):
            failures.append(f"{what}: mask differs from the source on {int(np.sum(decoded != source))} pixels")
        if record["area"] != int(mask_utils.area(rle)) or record["area"] != int(source.sum()):
            failures.append(f"{what}: area {record['area']}, source {int(source.sum())}")
        if record["bbox"] != [int(v) for v in mask_utils.toBbox(rle)]:
            failures.append(f"{what}: bbox {record['bbox']}, pycocotools {mask_utils.toBbox(rle).tolist()}")
        points = record["point_coords"]
        if len(points) != 1 or not source[points[0][1], points[0][0]]:
            failures.append(f"{what}: point_coords {points} not one pixel of the mask")
        if record["crop_box"] != [0, 0, width, height]:
            failures.append(f"{what}: crop_box {record['crop_box']}")
        if record["predicted_iou"] != 1.0 or record["stability_score"] != 1.0:
            failures.append(f"{what}: predicted_iou {record['predicted_iou']}, "
                            f"stability_score {record['stability_score']}")
        if record["category_id"] != int(obj["name_ndx"]) or record["category_name"] != obj["name"]:
            failures.append(f"{what}: category {record['category_id']} {record['category_name']!r}, "
                            f"source {obj['name_ndx']} {obj['name']!r}")
        parent = parent_of(obj)
        if parent is not None and parent in by_ade_id:
            if record["attributes"].get("parent_id") != by_ade_id[parent]["id"]:
                failures.append(f"{what}: parent_id {record['attributes'].get('parent_id')}, "
                                f"expected {by_ade_id[parent]['id']}")
        masks[record["id"]] = source
    return contents, masks


def check_datumaro(out, subsets, failures):
    """Imports each subset folder with Datumaro and compares its masks with
    the source's; returns a one-line result or the reason it was skipped."""
    try:
        import datumaro as dm
    except ImportError:
        return NOT_INSTALLED
    items = masks = 0
    for subset, expected in subsets.items():
        dataset = dm.Dataset.import_from(os.path.join(out, subset), "segment_anything")
        found = set()
        for item in dataset:
            key = (subset, item.id)
            if item.id not in expected:
                failures.append(f"Datumaro found an unknown item {key}")
                continue
            found.add(item.id)
            items += 1
            source_masks, with_image = expected[item.id]
            if with_image and not (item.media and os.path.isfile(item.media.path)):
                failures.append(f"Datumaro found no image for {key}")
            rle_masks = {a.id: a for a in item.annotations if a.type == dm.AnnotationType.mask}
            if set(rle_masks) != set(source_masks):
                failures.append(f"Datumaro {key}: masks {sorted(rle_masks)}, expected {sorted(source_masks)}")
            for annotation_id, annotation in rle_masks.items():
                if annotation_id not in source_masks:
                    continue
                image = np.asarray(annotation.image, dtype=bool)
                source = source_masks[annotation_id]
                if image.shape != source.shape or not np.array_equal(image, source):
                    failures.append(f"Datumaro {key}: mask {annotation_id} differs from the source")
                masks += 1
        for missing in set(expected) - found:
            failures.append(f"Datumaro did not find {(subset, missing)}")
    return f"Datumaro {dm.__version__} imported {items} items, {masks} masks, compared with the source"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True, help="folder whose children are subsets")
    parser.add_argument("--out", required=True, help="the segment_anything output folder")
    parser.add_argument("--amodal", action="store_true", help="the export was made with --amodal")
    args = parser.parse_args()
    failures = []

    items = source_items(args.dataset)
    expected_ids = {}
    subsets = {}
    annotations = 0
    for subset, item_id, json_path in items:
        annotation = load_annotation_json(json_path)
        name = item_id.replace("/", "_")
        where = f"{subset}/{item_id}"
        checked = check_item(where, os.path.join(args.out, subset, name + ".json"), json_path, annotation,
                             args.amodal, failures)
        if checked is None:
            continue
        contents, masks = checked
        image = contents["image"]
        expected_name = name + os.path.splitext(annotation["filename"])[1]
        if image["file_name"] != expected_name:
            failures.append(f"{where}: file_name {image['file_name']!r}, expected {expected_name!r}")
        with_image = os.path.isfile(os.path.join(args.out, subset, image["file_name"]))
        ids = expected_ids.setdefault(subset, {"images": [], "annotations": []})
        ids["images"].append(image["image_id"])
        ids["annotations"] += [record["id"] for record in contents["annotations"]]
        subsets.setdefault(subset, {})[name] = (masks, with_image)
        annotations += len(masks)
    for subset, ids in expected_ids.items():
        for kind, numbers in ids.items():
            if sorted(numbers) != list(range(1, len(numbers) + 1)):
                failures.append(f"{subset}: {kind} ids {sorted(numbers)} are not 1..{len(numbers)}")

    datumaro = check_datumaro(args.out, subsets, failures)
    for failure in failures:
        print("MISMATCH", failure)
    print(
        f"verify_segment_anything: {len(items)} items, {annotations} masks checked against the source "
        f"with pycocotools; {datumaro}; {len(failures)} mismatches"
    )
    if not items:
        print("verify_segment_anything: nothing was checked")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
