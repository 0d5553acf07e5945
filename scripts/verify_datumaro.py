#!/usr/bin/env python3
"""Checks a Datumaro export of an ADE20K dataset against the source.

Reads the output with the standard library (json), NumPy and Pillow, and the
source dataset independently (item JSONs, instance masks, images):

- each `annotations/<subset>.json` has `dm_format_version` "1.0" within its
  first kilobyte (where Datumaro looks for it), `media_type` 2, `infos` {},
  the expected labels in order (canonical: first synonym, else the full
  WordNet name, else "<full name> (<index>)", by class index; full: the
  WordNet names; raw: the annotators' words, in `dataset_meta.json` order then
  in order of appearance), one colour per label, and as `attributes` every
  annotation attribute key used, sorted; every subset lists the same
  categories;
- its items are the subset's items in id order, with the image path
  `<id>.<ext>`, the image's size [height, width] (read with Pillow) and the
  scene words;
- every object (and part, unless --no-parts) with pixels in its mask (visible,
  or amodal with --amodal) has one `mask` annotation whose RLE, decoded here
  with NumPy (and with pycocotools when it imports), equals the mask pixel for
  pixel; its id is the ADE id, its group 1 + the ADE id of its level-0
  object, its z_order the part level, its label the expected name, and its
  attributes the ADE fields and attribute words; a `polygon` annotation with
  the same id, group, label and attributes holds the annotator's polygon
  when it has 3 points or more; there is no other annotation;
- images under `images/<subset>/`, when present (not with --media none), are
  the source images, byte for byte.

If Datumaro imports (`import datumaro`), the output is also imported with
`Dataset.import_from(out, "datumaro")` and its items, annotation counts per
type, label names, masks (pixel for pixel against the source) and polygons
are compared; `python -m datumaro dinfo` runs on it when Datumaro's CLI
extras are installed. Without Datumaro that part is skipped, with a message
(`pip install -r scripts/requirements-datumaro.txt` installs it).

Usage:
    python3 scripts/verify_datumaro.py --dataset tests/assets/ade20k2020 --out out/datumaro \\
        [--amodal] [--no-parts] [--label-name canonical|full|raw]

`--dataset` is the folder whose children are the subsets; the export must have
used the default label selection (every class). Exits 1 on any mismatch.
"""

import argparse
import json
import os
import subprocess
import sys

import numpy as np
from PIL import Image

from ade20k_source import load_annotation_json

RESERVED_KEYS = {
    "occluded",
    "crop",
    "part_level",
    "parent_id",
    "ade_class",
    "raw_name",
    "depth_ordering_rank",
}
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff")


def source_mask(path, amodal):
    pixels = np.array(Image.open(path))
    if pixels.ndim == 3:
        pixels = pixels[:, :, 0]
    if set(np.unique(pixels).tolist()) <= {0, 1}:  # binary 0/1 masks
        return pixels == 1
    return pixels > 0 if amodal else pixels == 255


def as_list(value):
    if value is None or value == []:
        return []
    return value if isinstance(value, list) else [value]


def first_synonym(name):
    return name.split(",")[0].strip()


def source_items(dataset):
    """Every subset (sorted) with its items: (id, json path, image path), ids sorted."""
    subsets = {}
    for subset in sorted(os.listdir(dataset)):
        root = os.path.join(dataset, subset)
        if not os.path.isdir(root) or subset.startswith("."):
            continue
        items = []
        for folder, _, files in os.walk(root):
            for name in files:
                stem, ext = os.path.splitext(name)
                json_path = os.path.join(folder, stem + ".json")
                if ext.lower() in IMAGE_EXTENSIONS and os.path.exists(json_path):
                    item_id = os.path.relpath(os.path.join(folder, stem), root).replace(os.sep, "/")
                    items.append((item_id, json_path, os.path.join(folder, name)))
        subsets[subset] = sorted(items, key=lambda item: item[0].encode("utf-8"))
    return subsets


def rle_counts(text):
    """COCO's rleFrString: the counts of a compressed RLE string."""
    counts = []
    position = 0
    while position < len(text):
        value, shift, more = 0, 0, True
        while more:
            group = ord(text[position]) - 48
            value |= (group & 0x1F) << shift
            more = group & 0x20
            position += 1
            shift += 5
            if not more and group & 0x10:
                value |= -1 << shift
        if len(counts) > 2:
            value += counts[-2]
        counts.append(value)
    return counts


def decode_rle(rle):
    """The mask of a Datumaro `rle` object, decoded with NumPy (column-major runs)."""
    height, width = rle["size"]
    counts = rle_counts(rle["counts"])
    values = np.arange(len(counts)) % 2
    flat = np.repeat(values.astype(bool), counts)
    if flat.size != height * width:
        raise ValueError(f"runs cover {flat.size} pixels, the mask has {height * width}")
    return flat.reshape(width, height).T


def pycocotools_decode(rle):
    try:
        from pycocotools import mask as mask_utils
    except ImportError:
        return None
    coco = {"size": rle["size"], "counts": rle["counts"].encode("ascii")}
    return mask_utils.decode(coco).astype(bool)


def distinct(names):
    """Names as the exporter makes them distinct: `unnamed`, then ` (2)`, ` (3)`, …"""
    taken, result = set(), []
    for name in names:
        base = name or "unnamed"
        candidate, copy = base, 1
        while candidate in taken:
            copy += 1
            candidate = f"{base} ({copy})"
        taken.add(candidate)
        result.append(candidate)
    return result


class Source:
    """The source dataset, read once: objects per item, classes, label order."""

    def __init__(self, dataset, args):
        self.args = args
        self.subsets = source_items(dataset)
        self.annotations = {}
        self.classes = {}
        for subset, items in self.subsets.items():
            for item_id, json_path, _ in items:
                annotation = load_annotation_json(json_path)
                self.annotations[(subset, item_id)] = annotation
                for obj in annotation["object"]:
                    self.classes.setdefault(obj["name_ndx"], obj["name"])
        meta = os.path.join(dataset, "dataset_meta.json")
        self.label_order = []
        if os.path.exists(meta):
            label_map = json.load(open(meta, encoding="utf-8"))["label_map"]
            self.label_order = [label_map[key] for key in sorted(label_map, key=int)]

    def masks(self, subset, item_id, json_path):
        """ADE id -> mask of every object written (with pixels; parts unless --no-parts)."""
        folder = os.path.dirname(json_path)
        masks = {}
        for obj in self.annotations[(subset, item_id)]["object"]:
            if self.args.no_parts and obj["parts"]["part_level"] > 0:
                continue
            mask = source_mask(os.path.join(folder, obj["instance_mask"]), self.args.amodal)
            if mask.any():
                masks[obj["id"]] = mask
        return masks

    def canonical(self):
        """Class index -> canonical name (first synonym unless shared)."""
        synonyms, names = {}, {}
        for name in self.classes.values():
            synonyms[first_synonym(name)] = synonyms.get(first_synonym(name), 0) + 1
            names[name] = names.get(name, 0) + 1
        result = {}
        for index, name in self.classes.items():
            if synonyms[first_synonym(name)] == 1:
                result[index] = first_synonym(name)
            elif names[name] == 1:
                result[index] = name
            else:
                result[index] = f"{name} ({index})"
        return result

    def labels(self):
        """The expected label list, and a function giving an object's label name."""
        if self.args.label_name == "raw":
            # The dataset's label order, then the words of the objects written, in order.
            order = list(self.label_order)
            for subset, items in self.subsets.items():
                for item_id, json_path, _ in items:
                    written = self.masks(subset, item_id, json_path)
                    for obj in self.annotations[(subset, item_id)]["object"]:
                        if obj["id"] in written and obj.get("raw_name", "") not in order:
                            order.append(obj.get("raw_name", ""))
            names = distinct(order)
            by_raw = dict(zip(order, names))
            return names, lambda obj: by_raw.get(obj.get("raw_name", ""))
        indices = sorted(self.classes)
        if self.args.label_name == "full":
            names = distinct([self.classes[index] for index in indices])
        else:
            canonical = self.canonical()
            names = distinct([canonical[index] for index in indices])
        by_class = dict(zip(indices, names))
        return names, lambda obj: by_class[obj["name_ndx"]]


def expected_attributes(obj, written):
    attributes = {
        word: True
        for word in as_list(obj.get("attributes"))
        if word and word not in RESERVED_KEYS
    }
    occluded = obj.get("occluded")
    if occluded in ("yes", "no"):
        attributes["occluded"] = occluded == "yes"
    attributes["crop"] = str(obj.get("crop", 0)) == "1"
    attributes["part_level"] = obj["parts"]["part_level"]
    parent = as_list(obj["parts"].get("ispartof"))
    if parent and parent[0] in written:
        attributes["parent_id"] = parent[0]
    attributes["ade_class"] = obj["name_ndx"]
    attributes["raw_name"] = obj.get("raw_name", "")
    if obj.get("depth_ordering_rank") is not None:
        attributes["depth_ordering_rank"] = obj["depth_ordering_rank"]
    return attributes


def check_item(subset, item_id, json_path, image_path, record, source, label_of, names, failures):
    """Compares one item record with its source; returns {(type, id): annotation}."""
    where = f"{subset}/{item_id}"
    annotation = source.annotations[(subset, item_id)]
    ext = os.path.splitext(image_path)[1]
    with Image.open(image_path) as image:
        width, height = image.size
    expected_image = {"path": item_id + ext, "size": [height, width]}
    if record.get("image") != expected_image:
        failures.append(f"{where}: image {record.get('image')}, expected {expected_image}")
    if record.get("attr") != {"scene": annotation.get("scene", [])}:
        failures.append(f"{where}: attr {record.get('attr')}")
    objects = {obj["id"]: obj for obj in annotation["object"]}
    masks = source.masks(subset, item_id, json_path)
    expected = {}
    for ade_id, mask in masks.items():
        obj = objects[ade_id]
        root = obj
        for _ in range(len(objects)):
            parent = as_list(root["parts"].get("ispartof"))
            if not parent or parent[0] not in objects:
                break
            root = objects[parent[0]]
        common = {
            "id": ade_id,
            "group": root["id"] + 1,
            "z_order": obj["parts"]["part_level"],
            "label": label_of(obj),
            "attributes": expected_attributes(obj, masks),
        }
        expected[("mask", ade_id)] = dict(common, mask=mask)
        polygon = obj.get("polygon") or {}
        xs, ys = polygon.get("x", []), polygon.get("y", [])
        if len(xs) >= 3:
            points = [float(c) for xy in zip(xs, ys) for c in xy]
            expected[("polygon", ade_id)] = dict(common, points=points)
    written = {}
    for ann in record.get("annotations", []):
        key = (ann.get("type"), ann.get("id"))
        if key in written:
            failures.append(f"{where}: annotation {key} written twice")
        written[key] = ann
        if key not in expected:
            failures.append(f"{where}: unexpected annotation {key}")
            continue
        want = expected[key]
        label_id = ann.get("label_id")
        label = names[label_id] if isinstance(label_id, int) and 0 <= label_id < len(names) else None
        for field, value in (("group", want["group"]), ("z_order", want["z_order"])):
            if ann.get(field) != value:
                failures.append(f"{where} {key}: {field} {ann.get(field)}, expected {value}")
        if label != want["label"]:
            failures.append(f"{where} {key}: label {label!r}, expected {want['label']!r}")
        if ann.get("attributes") != want["attributes"]:
            failures.append(f"{where} {key}: attributes {ann.get('attributes')}, expected {want['attributes']}")
        if key[0] == "mask":
            try:
                decoded = decode_rle(ann["rle"])
            except (KeyError, ValueError, IndexError) as error:
                failures.append(f"{where} {key}: undecodable RLE ({error})")
                continue
            if decoded.shape != want["mask"].shape or not np.array_equal(decoded, want["mask"]):
                failures.append(f"{where} {key}: mask differs from the source")
            coco = pycocotools_decode(ann["rle"])
            if coco is not None and not np.array_equal(coco, decoded):
                failures.append(f"{where} {key}: pycocotools decodes another mask")
        elif ann.get("points") != want["points"]:
            failures.append(f"{where} {key}: points {ann.get('points')}, expected {want['points']}")
    for key in expected.keys() - written.keys():
        failures.append(f"{where}: missing annotation {key}")
    return expected


def check_with_datumaro(out, files, expected_masks, names, failures):
    """Imports the output with Datumaro; a one-line note on what was checked."""
    try:
        from datumaro.components.annotation import AnnotationType
        from datumaro.components.dataset import Dataset
    except ImportError:
        return "Datumaro not installed: its import was skipped (pip install -r scripts/requirements-datumaro.txt)"
    dataset = Dataset.import_from(out, "datumaro")
    if len(dataset) != sum(len(file["items"]) for file in files.values()):
        failures.append(f"Datumaro: {len(dataset)} items")
    imported_names = [label.name for label in dataset.categories()[AnnotationType.label]]
    if imported_names != names:
        failures.append(f"Datumaro: labels {imported_names[:5]}…, expected {names[:5]}…")
    counts = {}
    for item in dataset:
        for ann in item.annotations:
            counts[ann.type.name] = counts.get(ann.type.name, 0) + 1
            key = (item.subset, item.id, ann.type.name, ann.id)
            want = expected_masks.get(key)
            if want is None:
                failures.append(f"Datumaro: unexpected annotation {key}")
            elif ann.type == AnnotationType.mask:
                if not np.array_equal(np.asarray(ann.image, dtype=bool), want["mask"]):
                    failures.append(f"Datumaro: mask {key} differs from the source")
            elif ann.type == AnnotationType.polygon:
                if [float(p) for p in ann.points] != want["points"]:
                    failures.append(f"Datumaro: polygon {key} differs from the source")
            if want is not None and (ann.group, ann.z_order, imported_names[ann.label]) != (
                want["group"], want["z_order"], want["label"]):
                failures.append(f"Datumaro: group, z_order or label of {key}")
    expected_counts = {}
    for key in expected_masks:
        expected_counts[key[2]] = expected_counts.get(key[2], 0) + 1
    if counts != expected_counts:
        failures.append(f"Datumaro: annotation counts {counts}, expected {expected_counts}")
    note = f"Datumaro imported {len(dataset)} items, " + ", ".join(
        f"{count} {kind}s" for kind, count in sorted(counts.items()))
    cli = subprocess.run([sys.executable, "-m", "datumaro", "dinfo", out], capture_output=True, text=True)
    if cli.returncode == 0:
        if f"length: {len(dataset)}" not in cli.stdout:
            failures.append("datum dinfo: unexpected length")
        note += "; datum dinfo ok"
    else:
        note += "; datum CLI not usable (pip install 'datumaro[cli]'), dinfo skipped"
    return note


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True, help="folder whose children are the subsets")
    parser.add_argument("--out", required=True, help="the datumaro export")
    parser.add_argument("--amodal", action="store_true", help="the export used --amodal")
    parser.add_argument("--no-parts", action="store_true", help="the export used --parts exclude")
    parser.add_argument("--label-name", choices=["canonical", "full", "raw"], default="canonical")
    args = parser.parse_args()

    source = Source(args.dataset, args)
    names, label_of = source.labels()
    failures = []
    files = {}
    for subset in source.subsets:
        path = os.path.join(args.out, "annotations", f"{subset}.json")
        if not os.path.exists(path):
            failures.append(f"{path}: missing")
            continue
        head = open(path, encoding="utf-8").read(1024)
        if '"dm_format_version":"1.0"' not in head.replace(" ", ""):
            failures.append(f"{path}: no dm_format_version 1.0 in the first kilobyte")
        files[subset] = json.load(open(path, encoding="utf-8"))
    used_keys = set()
    expected_masks = {}
    masks = polygons = images = 0
    first_categories = None
    for subset, file in files.items():
        if file.get("media_type") != 2 or file.get("infos") != {}:
            failures.append(f"{subset}: media_type {file.get('media_type')}, infos {file.get('infos')}")
        categories = file["categories"]
        first_categories = first_categories or categories
        if categories != first_categories:
            failures.append(f"{subset}: categories differ from those of the first subset")
        labels = categories["label"]["labels"]
        written_names = [label["name"] for label in labels]
        if written_names != names:
            failures.append(f"{subset}: labels {written_names}, expected {names}")
        if any(label.get("parent") != "" or label.get("attributes") != [] for label in labels):
            failures.append(f"{subset}: a label has a parent or attributes")
        colormap = categories["mask"]["colormap"]
        if [entry["label_id"] for entry in colormap] != list(range(len(labels))):
            failures.append(f"{subset}: the colour map does not give one colour per label")
        records = file["items"]
        expected_ids = [item_id for item_id, _, _ in source.subsets[subset]]
        if [record.get("id") for record in records] != expected_ids:
            failures.append(f"{subset}: items {[r.get('id') for r in records]}, expected {expected_ids}")
        for (item_id, json_path, image_path), record in zip(source.subsets[subset], records):
            if record.get("id") != item_id:
                continue
            expected = check_item(subset, item_id, json_path, image_path, record, source, label_of, names, failures)
            for (kind, ade_id), want in expected.items():
                expected_masks[(subset, item_id, kind, ade_id)] = want
            for ann in record.get("annotations", []):
                used_keys.update(ann.get("attributes", {}))
                masks += ann.get("type") == "mask"
                polygons += ann.get("type") == "polygon"
            copied = os.path.join(args.out, "images", subset, record["image"]["path"])
            if os.path.exists(copied):
                images += 1
                if open(copied, "rb").read() != open(image_path, "rb").read():
                    failures.append(f"{copied}: differs from {image_path}")
    if first_categories and first_categories["label"]["attributes"] != sorted(used_keys):
        failures.append(f"declared attributes {first_categories['label']['attributes']}, used {sorted(used_keys)}")

    note = check_with_datumaro(args.out, files, expected_masks, names, failures) if files else ""
    for failure in failures[:20]:
        print(f"  {failure}", file=sys.stderr)
    items = sum(len(file["items"]) for file in files.values())
    print(
        f"verify_datumaro: {items} items, {masks} masks and {polygons} polygons checked against the source, "
        f"{len(names)} labels, {images} images; {note}; {len(failures)} mismatches"
    )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
