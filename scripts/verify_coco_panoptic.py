#!/usr/bin/env python3
"""Checks a COCO panoptic export of an ADE20K dataset with independent readers.

Always (NumPy and Pillow only), for every `annotations/panoptic_<subset>.json`:

- each image has one annotation, whose PNG is 8-bit RGB of the image's size;
  segment ids are decoded with panopticapi's `rgb2id` (R + 256*G + 256^2*B);
- the ids of `segments_info` are unique and are exactly the non-zero ids of
  the PNG; `area` and `bbox` are the pixel count and tight box of each id;
  `iscrowd` is 0; every `category_id` is a category, `isthing` is 0 or 1, and
  a stuff category has at most one segment per image;
- against the source, each level-0 object's visible mask (instance PNG == 255,
  or == 1 for 0/1 masks, read with Pillow) lies in one segment or in void; a
  thing segment is exactly one object's mask, a stuff segment the union of
  its objects' masks; void pixels are those of no object or of void objects.
  Without --selection, no object with visible pixels is void and each
  category id is the object's class index (`name_ndx`).

Where available (e.g. in the venv with Datumaro and cityscapesScripts):

- panopticapi's PQ evaluation (the copy shipped in cityscapesScripts, as
  panopticapi itself is not on PyPI) of the output against itself gives PQ 100;
- Datumaro imports the output as `coco_panoptic` with the same number of items
  and mask annotations per subset.

Usage:
    python3 scripts/verify_coco_panoptic.py --dataset tests/assets/ade20k2020 --out out/panoptic [--selection]

`--dataset` is the folder whose children are the subsets. Prints one line and
exits 1 on any mismatch.
"""

import argparse
import contextlib
import io
import json
import os
import sys

import numpy as np
from PIL import Image

from ade20k_source import load_annotation_json, source_mask


def rgb2id(color):
    """panopticapi.utils.rgb2id for an H x W x 3 array."""
    color = color.astype(np.int64)
    return color[:, :, 0] + 256 * color[:, :, 1] + 256 * 256 * color[:, :, 2]


def bbox_of(mask):
    ys, xs = np.nonzero(mask)
    return [int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)]


def verify_image(out, dataset, subset, image, annotation, categories, selection, failures):
    """Checks one image; returns (segments, void objects)."""
    name = annotation["file_name"]
    png = Image.open(os.path.join(out, "annotations", f"panoptic_{subset}", name))
    if png.mode != "RGB":
        failures.append(f"{name}: PNG mode {png.mode}, not RGB")
        return 0, 0
    ids = rgb2id(np.array(png))
    if ids.shape != (image["height"], image["width"]):
        failures.append(f"{name}: PNG is {ids.shape}, image {image['height']}x{image['width']}")
        return 0, 0
    segments = {}
    stuff_seen = set()
    for segment in annotation["segments_info"]:
        if segment["id"] in segments:
            failures.append(f"{name}: segment id {segment['id']} listed twice")
        segments[segment["id"]] = segment
        category = categories.get(segment["category_id"])
        if category is None:
            failures.append(f"{name}: unknown category {segment['category_id']}")
            continue
        if category["isthing"] == 0:
            if segment["category_id"] in stuff_seen:
                failures.append(f"{name}: stuff category {segment['category_id']} split")
            stuff_seen.add(segment["category_id"])
    in_png = set(np.unique(ids).tolist()) - {0}
    if in_png != set(segments):
        failures.append(f"{name}: PNG ids {sorted(in_png)} != segments_info ids {sorted(segments)}")
    for segment_id, segment in segments.items():
        pixels = ids == segment_id
        if not pixels.any():
            continue
        if segment["area"] != int(pixels.sum()):
            failures.append(f"{name}: segment {segment_id}: area {segment['area']} != {int(pixels.sum())}")
        if [int(v) for v in segment["bbox"]] != bbox_of(pixels):
            failures.append(f"{name}: segment {segment_id}: bbox {segment['bbox']} != {bbox_of(pixels)}")
        if segment["iscrowd"] != 0:
            failures.append(f"{name}: segment {segment_id}: iscrowd {segment['iscrowd']}")

    item_id = os.path.splitext(name)[0]
    json_path = os.path.join(dataset, subset, item_id + ".json")
    source = load_annotation_json(json_path)
    folder = os.path.dirname(json_path)
    explained = np.zeros(ids.shape, dtype=bool)
    members = {}
    void_objects = 0
    for obj in source["object"]:
        if obj["parts"]["part_level"] != 0:
            continue
        mask = source_mask(os.path.join(folder, obj["instance_mask"]), False)
        if not mask.any():
            continue
        found = set(np.unique(ids[mask]).tolist())
        if len(found) != 1:
            failures.append(f"{item_id}: object {obj['id']} spans segments {sorted(found)}")
            continue
        segment_id = found.pop()
        explained |= mask
        if segment_id == 0:
            void_objects += 1
            if not selection:
                failures.append(f"{item_id}: object {obj['id']} is void")
            continue
        members.setdefault(segment_id, []).append(mask)
        segment = segments.get(segment_id)
        if segment is None:
            continue
        if not selection and segment["category_id"] != obj["name_ndx"]:
            failures.append(f"{item_id}: object {obj['id']}: category {segment['category_id']} != {obj['name_ndx']}")
    for segment_id, masks in members.items():
        segment = segments.get(segment_id)
        category = categories.get(segment["category_id"]) if segment else None
        if category is None:
            continue
        if category["isthing"] == 1 and len(masks) != 1:
            failures.append(f"{item_id}: thing segment {segment_id} holds {len(masks)} objects")
        if not np.array_equal(np.logical_or.reduce(masks), ids == segment_id):
            failures.append(f"{item_id}: segment {segment_id} is not the union of its objects' masks")
    if (ids[~explained] != 0).any():
        failures.append(f"{item_id}: pixels of no object are not void")
    return len(segments), void_objects


def verify_subset(out, dataset, subset, selection, failures):
    path = os.path.join(out, "annotations", f"panoptic_{subset}.json")
    panoptic = json.load(open(path, encoding="utf-8"))
    categories = {c["id"]: c for c in panoptic["categories"]}
    for category in categories.values():
        if category["isthing"] not in (0, 1) or len(category["color"]) != 3:
            failures.append(f"{subset}: category {category['id']}: isthing {category['isthing']}")
    images = {image["id"]: image for image in panoptic["images"]}
    if sorted(images) != list(range(1, len(images) + 1)):
        failures.append(f"{subset}: image ids are not 1..{len(images)}")
    annotated = [annotation["image_id"] for annotation in panoptic["annotations"]]
    if sorted(annotated) != sorted(images):
        failures.append(f"{subset}: not one annotation per image")
    images_dir = os.path.join(out, "images", subset)
    segments = void = 0
    for annotation in panoptic["annotations"]:
        image = images[annotation["image_id"]]
        if os.path.splitext(image["file_name"])[0] != os.path.splitext(annotation["file_name"])[0]:
            failures.append(f"{annotation['file_name']}: image {image['file_name']}")
        if os.path.isdir(images_dir) and not os.path.isfile(os.path.join(images_dir, image["file_name"])):
            failures.append(f"{image['file_name']}: no image file")
        found, void_objects = verify_image(out, dataset, subset, image, annotation, categories, selection, failures)
        segments += found
        void += void_objects
    return len(images), segments, void, panoptic


def self_pq(out, subset, panoptic, failures):
    """PQ of the output against itself with panopticapi's evaluation code."""
    try:
        from cityscapesscripts.evaluation import evalPanopticSemanticLabeling as pq
    except ImportError:
        return None
    folder = os.path.join(out, "annotations", f"panoptic_{subset}")
    categories = {c["id"]: c for c in panoptic["categories"]}
    pairs = [(a, json.loads(json.dumps(a))) for a in panoptic["annotations"]]
    if not any(a["segments_info"] for a in panoptic["annotations"]):
        return None
    with contextlib.redirect_stdout(io.StringIO()):
        stat = pq.pq_compute_single_core(0, pairs, folder, folder, categories)
        result, _ = stat.pq_average(categories, isthing=None)
    if abs(result["pq"] - 1.0) > 1e-9:
        failures.append(f"{subset}: PQ of the output against itself is {100 * result['pq']:.2f}")
    return result["pq"]


def datumaro_counts(out, expected, failures):
    """Imports the output with Datumaro and compares items and masks per
    subset; returns why the check was skipped, if it was."""
    try:
        from datumaro.components.dataset import Dataset
    except ImportError:
        return "Datumaro skipped (not installed)"
    if not os.path.isdir(os.path.join(out, "images")):
        return "Datumaro skipped (it needs images/: export without --media none)"
    dataset = Dataset.import_from(out, "coco_panoptic")
    for subset, (items, segments) in expected.items():
        found = dataset.get_subset(subset)
        masks = sum(len(item.annotations) for item in found)
        if (len(found), masks) != (items, segments):
            failures.append(f"datumaro {subset}: {len(found)} items, {masks} masks != {items}, {segments}")
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True, help="folder whose children are subsets")
    parser.add_argument("--out", required=True, help="the coco_panoptic output folder")
    parser.add_argument(
        "--selection",
        action="store_true",
        help="the export used --labels, --top-classes or --label-name raw",
    )
    args = parser.parse_args()
    failures = []
    expected = {}
    pq_checked = []
    totals = [0, 0, 0]
    for name in sorted(os.listdir(os.path.join(args.out, "annotations"))):
        if name.startswith("panoptic_") and name.endswith(".json"):
            subset = name[len("panoptic_"):-len(".json")]
            images, segments, void, panoptic = verify_subset(args.out, args.dataset, subset, args.selection, failures)
            expected[subset] = (images, segments)
            totals = [totals[0] + images, totals[1] + segments, totals[2] + void]
            if self_pq(args.out, subset, panoptic, failures) is not None:
                pq_checked.append(subset)
    datumaro_failures = len(failures)
    skipped = datumaro_counts(args.out, expected, failures)
    for failure in failures:
        print("MISMATCH", failure)
    if pq_checked:
        pq_note = f"self-PQ (panopticapi evaluation) computed on {', '.join(pq_checked)}"
    else:
        pq_note = "self-PQ skipped (cityscapesscripts not installed)"
    if skipped:
        datumaro_note = skipped
    elif len(failures) == datumaro_failures:
        datumaro_note = "Datumaro import counts agree"
    else:
        datumaro_note = "Datumaro import counts differ"
    print(
        f"verify_coco_panoptic: {totals[0]} images, {totals[1]} segments checked against the "
        f"source masks ({totals[2]} void objects); {pq_note}; {datumaro_note}; "
        f"{len(failures)} mismatches"
    )
    if totals[1] == 0:
        print("verify_coco_panoptic: nothing was checked")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
