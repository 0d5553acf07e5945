#!/usr/bin/env python3
"""Checks a COCO export of an ADE20K dataset with an independent reader.

Loads every `annotations/instances_<subset>.json` with pycocotools, decodes
each annotation's mask with pycocotools itself, and compares it pixel for
pixel with the visible (or, with --amodal, the amodal) pixels of the source
instance mask PNG, read with Pillow and NumPy. It also checks that every
object with pixels in the source has exactly one annotation, and that area,
bbox and iscrowd agree.

Usage:
    python3 scripts/verify_coco.py --dataset tests/assets/ade20k2020 --coco out/coco [--amodal]

`--dataset` is the folder whose children are the subsets. Exits 1 on any mismatch.
"""

import argparse
import os
import sys

import numpy as np
from pycocotools.coco import COCO

from ade20k_source import load_annotation_json, source_mask


def verify_subset(coco_dir, dataset, subset, amodal, include_parts):
    path = os.path.join(coco_dir, "annotations", f"instances_{subset}.json")
    coco = COCO(path)
    failures = []
    checked = 0
    for image in coco.dataset["images"]:
        item_id = os.path.splitext(image["file_name"])[0]
        json_path = os.path.join(dataset, subset, item_id + ".json")
        annotation = load_annotation_json(json_path)
        folder = os.path.dirname(json_path)
        by_ade_id = {}
        for ann in coco.loadAnns(coco.getAnnIds(imgIds=[image["id"]])):
            ade_id = ann["attributes"]["ade_id"]
            if ade_id in by_ade_id:
                failures.append(f"{item_id}: object {ade_id} exported twice")
            by_ade_id[ade_id] = ann
        for obj in annotation["object"]:
            if obj["parts"]["part_level"] > 0 and not include_parts:
                continue
            expected = source_mask(os.path.join(folder, obj["instance_mask"]), amodal)
            ann = by_ade_id.pop(obj["id"], None)
            if not expected.any():
                if ann is not None:
                    failures.append(f"{item_id}: empty object {obj['id']} was exported")
                continue
            if ann is None:
                failures.append(f"{item_id}: object {obj['id']} is missing")
                continue
            decoded = coco.annToMask(ann).astype(bool)
            checked += 1
            if decoded.shape != expected.shape or not np.array_equal(decoded, expected):
                diff = int(np.sum(decoded != expected)) if decoded.shape == expected.shape else -1
                failures.append(f"{item_id}: object {obj['id']}: {diff} pixels differ")
            if ann["area"] != int(expected.sum()):
                failures.append(f"{item_id}: object {obj['id']}: area {ann['area']}")
            ys, xs = np.nonzero(expected)
            bbox = [int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)]
            if [int(v) for v in ann["bbox"]] != bbox:
                failures.append(f"{item_id}: object {obj['id']}: bbox {ann['bbox']} != {bbox}")
            if ann["iscrowd"] != 0:
                failures.append(f"{item_id}: object {obj['id']}: iscrowd {ann['iscrowd']}")
        for ade_id in by_ade_id:
            failures.append(f"{item_id}: annotation of unknown object {ade_id}")
    return checked, failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True, help="folder whose children are subsets")
    parser.add_argument("--coco", required=True, help="the COCO output folder")
    parser.add_argument("--amodal", action="store_true", help="the export used --amodal")
    parser.add_argument("--no-parts", action="store_true", help="the export used --parts exclude")
    args = parser.parse_args()
    total, failures = 0, []
    for name in sorted(os.listdir(os.path.join(args.coco, "annotations"))):
        if name.startswith("instances_") and name.endswith(".json"):
            subset = name[len("instances_"):-len(".json")]
            checked, found = verify_subset(args.coco, args.dataset, subset, args.amodal, not args.no_parts)
            total += checked
            failures += found
    for failure in failures:
        print("MISMATCH", failure)
    print(f"verify_coco: {total} masks decoded by pycocotools, {len(failures)} mismatches")
    if total == 0:
        print("verify_coco: nothing was checked")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
