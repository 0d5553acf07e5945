#!/usr/bin/env python3
"""Checks a Pascal VOC export of an ADE20K dataset against the source.

Reads the output with the standard library (xml.etree), Pillow and NumPy only,
and the source dataset independently (item JSONs, instance masks, `_seg.png`):

- `ImageSets/Main/<subset>.txt` and `ImageSets/Segmentation/<subset>.txt` list
  every item of the subset, as its id with `/` written as `__`, in id order;
- `labelmap.txt` is Datumaro's format: the header, `background:0,0,0::`, then
  one `name:r,g,b::` line per label, label i having VOC colour i;
- each `Annotations/<name>.xml` has the image's file name and size, depth 3,
  segmented 1, and one `<object>` per level-0 object with pixels (visible, or
  amodal with --amodal), in annotation order: its class name (first synonym or
  full WordNet name, one name per class), truncated = crop, occluded, pose,
  difficult, and bndbox = the tight box of the mask in 1-based inclusive
  coordinates; its `<part>`s are the level-1 parts with pixels (unless
  --no-parts), with names and boxes checked the same way;
- `JPEGImages/<name>.<ext>`, when present (not with --media none), is the
  source image, byte for byte;
- `SegmentationClass/<name>.png` and `SegmentationObject/<name>.png` are
  palette PNGs ('P') carrying the 256-colour VOC palette; class values equal
  the label of the level-0 object whose visible mask covers the pixel (the
  export follows the instance masks; pixels where the release's `_seg.png`
  disagrees with them, a few hundred in real items, are counted and reported,
  not failed); instance values equal the
  position of that object in the XML (255 past the 254th).

If Datumaro imports (`import datumaro`), the output is also imported with
`Dataset.import_from(out, "voc", coordinate_mode="voc-one-based")` and its
items, boxes (labels and coordinates) and instance masks are compared. Without
Datumaro that part is skipped, with a message.

Usage:
    python3 scripts/verify_voc.py --dataset tests/assets/ade20k2020 --out out/voc [--amodal] [--no-parts]

`--dataset` is the folder whose children are the subsets; the export must have
used the default label selection (every class). Exits 1 on any mismatch.
"""

import argparse
import os
import sys
import xml.etree.ElementTree as ET

import numpy as np
from PIL import Image

from ade20k_source import first_synonym, load_annotation_json, source_items, source_mask

VOID = 255
MAX_INSTANCES = 254


# Pixels where the source's `_seg.png` disagrees with its own instance masks,
# which the export follows (counted over every item, reported, never failed).
seg_disagrees = [0]


def voc_colormap():
    """The VOC development kit's colour map (labelcolormap.m), 256 entries."""
    colors = []
    for index in range(256):
        r = g = b = 0
        cid = index
        for shift in range(7, -1, -1):
            r |= ((cid >> 0) & 1) << shift
            g |= ((cid >> 1) & 1) << shift
            b |= ((cid >> 2) & 1) << shift
            cid >>= 3
        colors.append((r, g, b))
    return colors


def tight_box(mask):
    ys, xs = np.nonzero(mask)
    return [int(xs.min()) + 1, int(ys.min()) + 1, int(xs.max()) + 1, int(ys.max()) + 1]


def xml_box(element):
    box = element.find("bndbox")
    return [int(box.find(tag).text) for tag in ("xmin", "ymin", "xmax", "ymax")]


def read_label_map(path, failures):
    lines = open(path, encoding="utf-8").read().splitlines()
    if not lines or lines[0] != "# label:color_rgb:parts:actions":
        failures.append("labelmap.txt: missing header")
    labels = {}
    colormap = voc_colormap()
    for number, line in enumerate(lines[1:]):
        fields = line.split(":")
        if len(fields) != 4:
            failures.append(f"labelmap.txt: line {number + 2} has {len(fields)} fields")
            continue
        name, color, parts, actions = fields
        expected = ",".join(str(c) for c in colormap[number])
        if color != expected or parts or actions:
            failures.append(f"labelmap.txt: `{line}` (expected colour {expected}, no parts or actions)")
        if name in labels:
            failures.append(f"labelmap.txt: `{name}` listed twice")
        labels[name] = number
    if labels.get("background") != 0:
        failures.append("labelmap.txt: `background` is not value 0")
    return labels


def check_png(path, shape, failures):
    """The values of a palette PNG with the VOC palette, or None."""
    if not os.path.exists(path):
        failures.append(f"{path}: missing")
        return None
    image = Image.open(path)
    if image.mode != "P":
        failures.append(f"{path}: mode {image.mode}, expected P")
    palette = image.getpalette()
    expected = [channel for color in voc_colormap() for channel in color]
    if palette != expected:
        failures.append(f"{path}: palette is not the VOC colour map")
    values = np.array(image)
    if values.shape != shape:
        failures.append(f"{path}: size {values.shape[::-1]}, expected {shape[::-1]}")
        return None
    return values


def verify_item(out, subset, item_id, json_path, labels, class_names, args, failures):
    """Checks one item; returns (expected boxes for Datumaro, instance count)."""
    name = item_id.replace("/", "__")
    annotation = load_annotation_json(json_path)
    folder = os.path.dirname(json_path)
    height, width = annotation["imsize"][:2]
    objects = annotation["object"]
    masks = {}

    def mask_of(obj, amodal):
        key = (obj["id"], amodal)
        if key not in masks:
            masks[key] = source_mask(os.path.join(folder, obj["instance_mask"]), amodal)
        return masks[key]

    def check_name(what, obj, xml_name):
        """The XML name must be the class's first synonym or full name, listed
        in labelmap.txt, and the same for every object of the class."""
        if xml_name not in (obj["name"], first_synonym(obj["name"])) or xml_name not in labels:
            failures.append(f"{what}: name {xml_name!r} for class {obj['name']!r}")
        previous = class_names.setdefault(obj["name_ndx"], xml_name)
        if previous != xml_name:
            failures.append(f"{what}: class {obj['name_ndx']} named {xml_name!r} and {previous!r}")

    written = [o for o in objects if o["parts"]["part_level"] == 0 and mask_of(o, args.amodal).any()]
    xml_path = os.path.join(out, "Annotations", name + ".xml")
    root = ET.parse(xml_path).getroot()
    where = f"{subset}/{item_id}"
    ext = os.path.splitext(annotation["filename"])[1]
    header = {
        "filename": name + ext,
        "size/width": str(width),
        "size/height": str(height),
        "size/depth": "3",
        "segmented": "1",
    }
    for path, value in header.items():
        if root.findtext(path) != value:
            failures.append(f"{where}: <{path}> is {root.findtext(path)!r}, expected {value!r}")
    image = os.path.join(out, "JPEGImages", name + ext)
    source_image = os.path.join(folder, annotation["filename"])
    if os.path.exists(image) and open(image, "rb").read() != open(source_image, "rb").read():
        failures.append(f"{where}: JPEGImages/{name + ext} is not the source image")
    xml_objects = root.findall("object")
    if len(xml_objects) != len(written):
        failures.append(f"{where}: {len(xml_objects)} objects, expected {len(written)}")
    boxes = []
    class_of_label = {}
    instance = np.zeros((height, width), dtype=np.uint8)
    painted = np.zeros((height, width), dtype=np.uint8)
    for position, (element, obj) in enumerate(zip(xml_objects, written)):
        what = f"{where}: object {obj['id']}"
        xml_name = element.findtext("name")
        check_name(what, obj, xml_name)
        label = labels.get(xml_name, 0)
        class_of_label[obj["name_ndx"]] = label
        fields = {
            "pose": "Unspecified",
            "truncated": str(int(str(obj["crop"]) == "1")),
            "occluded": str(int(obj["occluded"] == "yes")),
            "difficult": "0",
        }
        for tag, value in fields.items():
            if element.findtext(tag) != value:
                failures.append(f"{what}: <{tag}> {element.findtext(tag)!r}, expected {value!r}")
        expected_box = tight_box(mask_of(obj, args.amodal))
        if xml_box(element) != expected_box:
            failures.append(f"{what}: bndbox {xml_box(element)}, expected {expected_box}")
        boxes.append((xml_name, expected_box))
        parts = []
        if not args.no_parts:
            parts = [
                p
                for p in objects
                if p["parts"]["part_level"] == 1
                and p["parts"]["ispartof"] == obj["id"]
                and mask_of(p, args.amodal).any()
            ]
        xml_parts = element.findall("part")
        if len(xml_parts) != len(parts):
            failures.append(f"{what}: {len(xml_parts)} parts, expected {len(parts)}")
        for part_element, part in zip(xml_parts, parts):
            part_name = part_element.findtext("name")
            check_name(f"{what}: part {part['id']}", part, part_name)
            expected_box = tight_box(mask_of(part, args.amodal))
            if xml_box(part_element) != expected_box:
                failures.append(f"{what}: part {part['id']} bndbox {xml_box(part_element)}, expected {expected_box}")
            boxes.append((part_name, expected_box))
        visible = mask_of(obj, False)
        instance[visible] = position + 1 if position < MAX_INSTANCES else VOID
        painted[visible] = label

    class_values = check_png(os.path.join(out, "SegmentationClass", name + ".png"), (height, width), failures)
    if class_values is not None:
        if not np.array_equal(class_values, painted):
            failures.append(f"{where}: {int(np.sum(class_values != painted))} class pixels differ from the masks")
        seg = np.array(Image.open(os.path.join(folder, os.path.basename(item_id) + "_seg.png")).convert("RGB"))
        classes = (seg[:, :, 0].astype(np.int64) // 10) * 256 + seg[:, :, 1]
        from_seg = np.zeros_like(class_values)
        for class_index, label in class_of_label.items():
            from_seg[classes == class_index] = label
        # The export follows the instance masks; real items' _seg.png differs
        # from them by a few hundred pixels: counted, not failed.
        seg_disagrees[0] += int(np.sum(painted != from_seg))
    object_values = check_png(os.path.join(out, "SegmentationObject", name + ".png"), (height, width), failures)
    instances = 0
    if object_values is not None:
        if not np.array_equal(object_values, instance):
            failures.append(f"{where}: {int(np.sum(object_values != instance))} instance pixels differ")
        instances = len(set(np.unique(object_values).tolist()) - {0})
    return boxes, instances


def verify_with_datumaro(out, expected, failures):
    """Imports the output with Datumaro and compares it; a message when skipped."""
    try:
        import datumaro as dm
        from datumaro.components.annotation import AnnotationType
    except ImportError:
        return "datumaro not installed: its import was skipped"
    try:
        dataset = dm.Dataset.import_from(out, "voc", coordinate_mode="voc-one-based")
        one_based = True
    except TypeError:  # versions without the option take the numbers as they are
        dataset = dm.Dataset.import_from(out, "voc")
        one_based = False
    names = dataset.categories()[AnnotationType.label]
    items = boxes = masks = 0
    for item in dataset:
        items += 1
        key = (item.subset, item.id)
        if key not in expected:
            failures.append(f"datumaro: unexpected item {key}")
            continue
        expected_boxes, expected_masks = expected[key]
        found = []
        for annotation in item.annotations:
            if annotation.type == AnnotationType.bbox:
                x, y, w, h = annotation.get_bbox()
                if one_based:
                    box = [x + 1, y + 1, x + w, y + h]
                else:
                    box = [x, y, x + w, y + h]
                found.append((names[annotation.label].name, [int(round(v)) for v in box]))
            elif annotation.type == AnnotationType.mask:
                masks += 1
        boxes += len(found)
        if sorted(found) != sorted(expected_boxes):
            failures.append(f"datumaro: {item.subset}/{item.id}: boxes {sorted(found)} != {sorted(expected_boxes)}")
    expected_boxes = sum(len(b) for b, _ in expected.values())
    expected_masks = sum(m for _, m in expected.values())
    if (items, boxes, masks) != (len(expected), expected_boxes, expected_masks):
        failures.append(
            f"datumaro: {items} items, {boxes} boxes, {masks} masks; "
            f"expected {len(expected)}, {expected_boxes}, {expected_masks}"
        )
    mode = "voc-one-based" if one_based else "as written"
    return f"Datumaro {dm.__version__} imported {items} items, {boxes} boxes, {masks} masks ({mode})"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True, help="folder whose children are subsets")
    parser.add_argument("--out", required=True, help="the VOC output folder")
    parser.add_argument("--amodal", action="store_true", help="the export used --amodal")
    parser.add_argument("--no-parts", action="store_true", help="the export used --parts exclude")
    args = parser.parse_args()
    failures = []
    labels = read_label_map(os.path.join(args.out, "labelmap.txt"), failures)
    items = source_items(args.dataset)
    for subset in sorted({subset for subset, _, _ in items}):
        names = [item_id.replace("/", "__") for s, item_id, _ in items if s == subset]
        for task in ("Main", "Segmentation"):
            path = os.path.join(args.out, "ImageSets", task, subset + ".txt")
            listed = open(path, encoding="utf-8").read().splitlines() if os.path.exists(path) else None
            if listed != names:
                failures.append(f"ImageSets/{task}/{subset}.txt lists {listed}, expected {names}")
    class_names = {}
    expected = {}
    for subset, item_id, path in items:
        expected[(subset, item_id.replace("/", "__"))] = verify_item(
            args.out, subset, item_id, path, labels, class_names, args, failures
        )
    if len(set(class_names.values())) != len(class_names):
        failures.append("two classes share a label name")
    message = verify_with_datumaro(args.out, expected, failures)
    for failure in failures:
        print("MISMATCH", failure)
    total_boxes = sum(len(b) for b, _ in expected.values())
    total_instances = sum(m for _, m in expected.values())
    print(
        f"verify_voc: {len(items)} items, {total_boxes} boxes, {total_instances} instances, "
        f"{len(labels) - 1} labels checked; {seg_disagrees[0]} pixels where _seg.png disagrees "
        f"with the instance masks (followed); {message}; {len(failures)} mismatches"
    )
    if not items:
        print("verify_voc: nothing was checked")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
