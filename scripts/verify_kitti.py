#!/usr/bin/env python3
"""Checks a KITTI segmentation export of an ADE20K dataset against the source.

Reads the source dataset itself (JSON and instance masks) and the output with
Pillow and NumPy, and checks, for every item:

- the files `<subset>/{semantic,semantic_rgb,instance}/<name>.png` exist (and
  the image in `<subset>/image_2/` when images were written), `<name>` being
  the item id with `/` replaced by `_`;
- `label_colors.txt` lists `unlabeled` (black) and every class of the dataset
  by class index, under its canonical name with white space replaced by `_`;
- `semantic/` (8-bit grey) equals, pixel for pixel, the label ids of the
  level-0 objects' visible instance masks (value 255);
- `semantic_rgb/` (8-bit RGB) holds each pixel's label colour from
  `label_colors.txt`;
- `instance/` (16-bit grey) holds the label id in its high byte; the pixels of
  stuff classes (`--stuff FILE`, as given to the export) and unlabeled pixels
  have instance 0; the visible mask of each level-0 object of a thing class is
  one value of its own, numbered from 1 per class and image (past 255, the
  class's group, instance 0).

Then Datumaro's own importer (`Dataset.import_from(out, "kitti")`, Datumaro
1.13.12: `pip install -r scripts/requirements-datumaro.txt`) must find every
item with its image (when images were written), the labels of
`label_colors.txt` in order, and one mask per value of `instance/` whose label
is `value >> 8`, id `value % 256` and `is_crowd` whether the instance is 0;
the mask of each numbered thing object must equal that object's visible
instance mask in the source pixel for pixel, and the masks of each stuff
class and of label 0 the union of the source masks they stand for. Without
Datumaro that part is skipped, with a message.

Usage:
    python3 scripts/verify_kitti.py --dataset tests/assets/ade20k2020 --out out/kitti [--stuff FILE]

`--dataset` is the folder whose children are the subsets; the export must
have used the default label selection (every class). Exits 1 on any mismatch.
"""

import argparse
import os
import sys

import numpy as np
from PIL import Image

from ade20k_source import load_annotation_json, source_mask
from datumaro_import import NOT_INSTALLED, describe, import_masks
from verify_cityscapes import canonical_names, label_file_name, read_label_colors, read_stuff, source_items

MAX_INSTANCE = 255


def read_source(dataset):
    """The items (subset, id, JSON path, annotation) of `dataset`, its classes
    (index -> full name, by index) and the label id of each class without a
    selection (1, 2, ... by class index)."""
    items = []
    classes = {}
    for subset, item_id, json_path in source_items(dataset):
        annotation = load_annotation_json(json_path)
        items.append((subset, item_id, json_path, annotation))
        for obj in annotation["object"]:
            classes.setdefault(int(obj["name_ndx"]), obj["name"])
    classes = dict(sorted(classes.items()))
    id_of_class = {index: label_id for label_id, index in enumerate(classes, start=1)}
    return items, classes, id_of_class


def visible_objects(json_path, annotation, id_of_class):
    """[(label id, visible mask)] of the level-0 objects with visible pixels, in
    annotation order, and the label id at every pixel (0 where none is seen)."""
    folder = os.path.dirname(json_path)
    objects = []
    for obj in annotation["object"]:
        if obj["parts"]["part_level"] != 0:
            continue
        visible = source_mask(os.path.join(folder, obj["instance_mask"]), False)
        if visible.any():
            objects.append((id_of_class.get(int(obj["name_ndx"]), 0), visible))
    height, width = objects[0][1].shape if objects else (annotation["imsize"][0], annotation["imsize"][1])
    expected = np.zeros((height, width), dtype=np.int64)
    for label_id, visible in objects:
        expected[visible] = label_id
    return objects, expected


def check_datumaro(out, label_colors, expected_items, failures):
    """Imports `out` with Datumaro and compares its masks with the source's;
    returns a one-line result or the reason it was skipped."""

    def value_of(annotation, key):
        value = annotation.label * 256 + annotation.id
        if annotation.attributes.get("is_crowd") != (annotation.id == 0):
            failures.append(f"Datumaro {key}: mask {value} is_crowd {annotation.attributes.get('is_crowd')}")
        return value

    names = [name for name, _ in label_colors]
    result = import_masks(out, "kitti", names, "label_colors.txt", expected_items, failures, value_of)
    if result is None:
        return NOT_INSTALLED
    version, imported = result
    for key, (item, found) in imported.items():
        instance, expected_masks, with_image = expected_items[key]
        if with_image and item.media is None:
            failures.append(f"Datumaro found no image for {key}")
        values = set(np.unique(instance).tolist())
        if set(found) != values:
            failures.append(f"Datumaro {key}: masks of values {sorted(found)}, expected {sorted(values)}")
        for value, source in expected_masks.items():
            if value not in found:
                continue
            if not np.array_equal(found[value], source):
                failures.append(
                    f"Datumaro {key}: mask {value >> 8}/{value % 256} differs from the source on "
                    f"{int(np.sum(found[value] != source))} pixels"
                )
    return describe(version, imported)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True, help="folder whose children are subsets")
    parser.add_argument("--out", required=True, help="the kitti output folder")
    parser.add_argument("--stuff", help="the --stuff FILE given to the export")
    args = parser.parse_args()
    failures = []

    items, classes, id_of_class = read_source(args.dataset)
    stuff_classes = read_stuff(args.stuff, classes)

    label_colors = read_label_colors(os.path.join(args.out, "label_colors.txt"))
    taken = {"unlabeled"}
    canonical = canonical_names(classes)
    expected_names = ["unlabeled"] + [
        label_file_name(canonical[index], label_id, taken) for label_id, index in enumerate(classes, start=1)
    ]
    if [name for name, _ in label_colors] != expected_names:
        failures.append(f"label_colors.txt names {[n for n, _ in label_colors]}, expected {expected_names}")
    if label_colors and label_colors[0] != ("unlabeled", (0, 0, 0)):
        failures.append(f"label 0 is {label_colors[0]}, expected unlabeled, black")
    stuff_ids = {id_of_class[index] for index in stuff_classes}
    colors = np.array([color for _, color in label_colors] or [(0, 0, 0)], dtype=np.int64)

    pixels = instances = 0
    datumaro_items = {}
    for subset, item_id, json_path, annotation in items:
        name = item_id.replace("/", "_")
        where = f"{subset}/{item_id}"
        paths = {folder: os.path.join(args.out, subset, folder, f"{name}.png")
                 for folder in ("semantic", "semantic_rgb", "instance")}
        missing = [p for p in paths.values() if not os.path.isfile(p)]
        if missing:
            failures.append(f"{where}: missing {missing}")
            continue
        with_image = os.path.isdir(os.path.join(args.out, subset, "image_2"))
        if with_image:
            image_ext = os.path.splitext(annotation["filename"])[1]
            if not os.path.isfile(os.path.join(args.out, subset, "image_2", name + image_ext)):
                failures.append(f"{where}: no image in image_2/")

        objects, expected = visible_objects(json_path, annotation, id_of_class)
        height, width = expected.shape

        semantic_image = Image.open(paths["semantic"])
        semantic = np.array(semantic_image).astype(np.int64)
        if semantic_image.mode != "L" or semantic.shape != (height, width):
            failures.append(f"{where}: semantic mode {semantic_image.mode} size {semantic.shape}")
            continue
        differ = int(np.sum(semantic != expected))
        if differ:
            failures.append(f"{where}: {differ} semantic pixels differ from the instance masks")
        pixels += semantic.size

        rgb_image = Image.open(paths["semantic_rgb"])
        if rgb_image.mode != "RGB" or not np.array_equal(np.array(rgb_image).astype(np.int64), colors[semantic]):
            failures.append(f"{where}: semantic_rgb (mode {rgb_image.mode}) differs from label_colors.txt")

        instance_image = Image.open(paths["instance"])
        instance = np.array(instance_image).astype(np.int64)
        if instance_image.mode not in ("I;16", "I;16B", "I") or instance.shape != (height, width):
            failures.append(f"{where}: instance mode {instance_image.mode} (16-bit expected)")
            continue
        if not np.array_equal(instance >> 8, semantic):
            failures.append(f"{where}: the high byte of instance/ is not semantic/")
        numbers = instance & 0xFF
        for label_id in stuff_ids | {0}:
            if numbers[semantic == label_id].any():
                failures.append(f"{where}: stuff or unlabeled label {label_id} has instance numbers")

        # What Datumaro must read: one mask per value, from the source masks.
        expected_masks = {0: expected == 0}
        per_label = {}
        for label_id, visible in objects:
            if label_id == 0:
                continue
            if label_id in stuff_ids or len(per_label.setdefault(label_id, [])) >= MAX_INSTANCE:
                value = label_id * 256
                expected_masks[value] = expected_masks.get(value, np.zeros_like(visible)) | visible
                continue
            values = np.unique(instance[visible]).tolist()
            if len(values) != 1:
                failures.append(f"{where}: an object's visible mask has instance values {values}")
            per_label[label_id].append(values[0])
            expected_masks[values[0]] = visible
        for label_id, values in per_label.items():
            if sorted(v & 0xFF for v in values) != list(range(1, len(values) + 1)):
                failures.append(f"{where}: label {label_id} numbered {sorted(v & 0xFF for v in values)}")
            instances += len(values)
        datumaro_items[(subset, name)] = (instance, expected_masks, with_image)

    datumaro = check_datumaro(args.out, label_colors, datumaro_items, failures)
    for failure in failures:
        print("MISMATCH", failure)
    print(
        f"verify_kitti: {len(items)} items, {pixels} label pixels, {instances} instances checked "
        f"against the source; {datumaro}; {len(failures)} mismatches"
    )
    if not items:
        print("verify_kitti: nothing was checked")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
