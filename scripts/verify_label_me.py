#!/usr/bin/env python3
"""Checks a LabelMe 3.0 export of an ADE20K dataset against the source.

Reads the output with the standard library (xml.etree), NumPy and Pillow, and
the source dataset independently (item JSONs, instance masks, images), and
checks, for every item:

- `Annotations/<subset>/<item id>.xml` exists, with `<filename>` `<item
  id>.<ext>`, `<folder>` the subset and `<imagesize>` the image's size (read
  with Pillow); the image `Images/<folder>/<filename>` is the source's, byte
  for byte, when images were written;
- its `<object>`s are the objects and parts (unless --no-parts) with pixels in
  their mask (visible, or amodal with --amodal), in annotation order (with
  --segmentation source-polygon only those whose polygon has 3 points or
  more), each with `<id>` its ADE id, its label as `<name>` (canonical names,
  made distinct, by class index), `<deleted>` 0, `<occluded>` yes/no/empty as
  annotated, `<attributes>` its words (escaped; `crop`, `part_level`,
  `occluded` and empty words dropped) then `crop=…` and `part_level=…`,
  `<hasparts>` the ids of its parts written and `<ispartof>` its parent's id
  when written;
- (default) its `<segm>` box is the mask's tight box (maxima exclusive) and its
  `<mask>` PNG under `Masks/<subset>/` (RGB, white where set) equals the mask
  pixel for pixel; (source-polygon) its `<polygon>`'s points are the
  annotator's exactly.

Then Datumaro's own importer (`Dataset.import_from(out, "label_me")`,
Datumaro 1.13.12: `pip install -r scripts/requirements-datumaro.txt`) must find
every item and, in order, every object: its label name, its mask equal to the
source mask pixel for pixel (or its polygon's points), its attributes (words
`True`, `crop` a boolean, `part_level` a number, `occluded`, `username` "")
and one group shared by an object and its parts (0 for an object alone).
Without Datumaro that part is skipped, with a message.

Usage:
    python3 scripts/verify_label_me.py --dataset tests/assets/ade20k2020 --out out/label_me \\
        [--amodal] [--no-parts] [--segmentation mask|source-polygon]

`--dataset` is the folder whose children are the subsets; the export must have
used the default label selection (every class). Exits 1 on any mismatch.
"""

import argparse
import os
import sys
import xml.etree.ElementTree as ElementTree

import numpy as np
from PIL import Image

from datumaro_import import NOT_INSTALLED
from verify_datumaro import Source, as_list

RESERVED = {"crop", "part_level", "occluded"}


def words(obj):
    return sorted({word for word in as_list(obj.get("attributes")) if word and word not in RESERVED})


def escape(word):
    return "".join("\\" + c if c in '\\=",' else c for c in word)


def expected_objects(source, subset, item_id, json_path, segmentation):
    """[(object, mask)] of the objects written, in order."""
    masks = source.masks(subset, item_id, json_path)
    written = []
    for obj in source.annotations[(subset, item_id)]["object"]:
        if obj["id"] not in masks:
            continue
        if segmentation == "source-polygon" and len((obj.get("polygon") or {}).get("x", [])) < 3:
            continue
        written.append((obj, masks[obj["id"]]))
    return written


def check_with_datumaro(out, expected_items, failures):
    """Imports the output with Datumaro; a one-line note on what was checked."""
    try:
        import datumaro as dm
    except ImportError:
        return NOT_INSTALLED
    dataset = dm.Dataset.import_from(out, "label_me")
    names = [label.name for label in dataset.categories()[dm.AnnotationType.label]]
    seen, shapes = set(), 0
    for item in dataset:
        key = (item.subset, item.id)
        seen.add(key)
        if key not in expected_items:
            failures.append(f"Datumaro found an unknown item {key}")
            continue
        expected = expected_items[key]
        if len(item.annotations) != len(expected):
            failures.append(f"Datumaro {key}: {len(item.annotations)} annotations, expected {len(expected)}")
        groups = {}
        for annotation, (kind, geometry, label, root, alone, attributes) in zip(item.annotations, expected):
            shapes += 1
            if annotation.type.name != kind:
                failures.append(f"Datumaro {key}: a {annotation.type.name}, expected a {kind}")
                continue
            if kind == "mask":
                if not np.array_equal(np.asarray(annotation.image, dtype=bool), geometry):
                    failures.append(f"Datumaro {key}: a mask differs from the source")
            elif [float(p) for p in annotation.points] != geometry:
                failures.append(f"Datumaro {key}: polygon points differ from the source")
            if names[annotation.label] != label:
                failures.append(f"Datumaro {key}: label {names[annotation.label]!r}, expected {label!r}")
            if annotation.attributes != attributes:
                failures.append(f"Datumaro {key}: attributes {annotation.attributes}, expected {attributes}")
            if alone != (annotation.group == 0):
                failures.append(f"Datumaro {key}: group {annotation.group} of an object "
                                f"{'without' if alone else 'with'} parts")
            if not alone and groups.setdefault(root, annotation.group) != annotation.group:
                failures.append(f"Datumaro {key}: an object and its parts in different groups")
        if len(set(groups.values())) != len(groups):
            failures.append(f"Datumaro {key}: two objects share a group")
    for key in set(expected_items) - seen:
        failures.append(f"Datumaro did not find {key}")
    return f"Datumaro {dm.__version__} imported {len(seen)} items, {shapes} objects, compared with the source"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True, help="folder whose children are the subsets")
    parser.add_argument("--out", required=True, help="the label_me export")
    parser.add_argument("--amodal", action="store_true", help="the export used --amodal")
    parser.add_argument("--no-parts", action="store_true", help="the export used --parts exclude")
    parser.add_argument("--segmentation", choices=["mask", "source-polygon"], default="mask")
    args = parser.parse_args()
    args.label_name = "canonical"
    failures = []

    source = Source(args.dataset, args)
    _, label_of = source.labels()
    with_images = os.path.isdir(os.path.join(args.out, "Images"))
    datumaro_items = {}
    items = objects_checked = pixels = 0
    for subset, source_items in source.subsets.items():
        for item_id, json_path, image_path in source_items:
            items += 1
            where = f"{subset}/{item_id}"
            path = os.path.join(args.out, "Annotations", subset, item_id + ".xml")
            if not os.path.isfile(path):
                failures.append(f"{where}: no {path}")
                continue
            root = ElementTree.parse(path).getroot()
            with Image.open(image_path) as photo:
                width, height = photo.size
            found = (root.findtext("filename"), root.findtext("folder"),
                     root.findtext("imagesize/nrows"), root.findtext("imagesize/ncols"))
            wanted = (item_id + os.path.splitext(image_path)[1], subset, str(height), str(width))
            if found != wanted:
                failures.append(f"{where}: filename, folder, size {found}, expected {wanted}")
                continue
            placed = os.path.join(args.out, "Images", subset, wanted[0])
            if with_images and open(placed, "rb").read() != open(image_path, "rb").read():
                failures.append(f"{placed}: differs from {image_path}")
            written = expected_objects(source, subset, item_id, json_path, args.segmentation)
            ids = {obj["id"] for obj, _ in written}
            elements = root.findall("object")
            if len(elements) != len(written):
                failures.append(f"{where}: {len(elements)} objects, expected {len(written)}")
            by_id = {obj["id"]: obj for obj, _ in written}
            expected_datumaro = []
            for element, (obj, mask) in zip(elements, written):
                at = f"{where} object {obj['id']}"
                objects_checked += 1
                parent = as_list(obj["parts"].get("ispartof"))
                parent = parent[0] if parent and parent[0] in ids else None
                parts = [o["id"] for o, _ in written if (as_list(o["parts"].get("ispartof")) or [None])[0] == obj["id"]]
                attributes_text = ", ".join([escape(w) for w in words(obj)] + [
                    f"crop={'true' if str(obj.get('crop', 0)) == '1' else 'false'}",
                    f"part_level={obj['parts']['part_level']}"])
                occluded = obj.get("occluded") if obj.get("occluded") in ("yes", "no") else None
                fields = {
                    "id": str(obj["id"]),
                    "name": label_of(obj),
                    "deleted": "0",
                    "occluded": occluded,
                    "attributes": attributes_text,
                    "parts/hasparts": ",".join(map(str, parts)) or None,
                    "parts/ispartof": None if parent is None else str(parent),
                }
                for field, value in fields.items():
                    if element.findtext(field) != value and not (value is None and element.findtext(field) == ""):
                        failures.append(f"{at}: <{field}> {element.findtext(field)!r}, expected {value!r}")
                if args.segmentation == "mask":
                    rows, cols = np.nonzero(mask)
                    box = [str(int(cols.min())), str(int(rows.min())), str(int(cols.max()) + 1), str(int(rows.max()) + 1)]
                    found_box = [element.findtext(f"segm/box/{k}") for k in ("xmin", "ymin", "xmax", "ymax")]
                    if found_box != box:
                        failures.append(f"{at}: box {found_box}, expected {box}")
                    mask_path = os.path.join(args.out, "Masks", subset, element.findtext("segm/mask") or "")
                    if not os.path.isfile(mask_path):
                        failures.append(f"{at}: no mask file {mask_path}")
                        continue
                    with Image.open(mask_path) as png:
                        mode, found_mask = png.mode, np.array(png)
                    if mode != "RGB" or found_mask.shape != (height, width, 3):
                        failures.append(f"{at}: mask mode {mode}, shape {found_mask.shape}")
                        continue
                    white = np.all(found_mask == 255, axis=2)
                    if not np.array_equal(white, mask) or np.any(found_mask[~white]):
                        failures.append(f"{at}: mask differs from the source on {int(np.sum(white != mask))} pixels")
                    pixels += mask.size
                    geometry = mask
                else:
                    geometry = [float(c) for pt in element.findall("polygon/pt")
                                for c in (pt.findtext("x"), pt.findtext("y"))]
                    polygon = obj["polygon"]
                    if geometry != [float(c) for xy in zip(polygon["x"], polygon["y"]) for c in xy]:
                        failures.append(f"{at}: points differ from the annotator's polygon")
                top = obj
                for _ in range(len(by_id) + 1):
                    up = as_list(top["parts"].get("ispartof"))
                    if not up or up[0] not in by_id:
                        break
                    top = by_id[up[0]]
                alone = top["id"] == obj["id"] and not parts
                attributes = {word: True for word in words(obj)}
                attributes["crop"] = str(obj.get("crop", 0)) == "1"
                attributes["part_level"] = obj["parts"]["part_level"]
                attributes["occluded"] = obj.get("occluded") == "yes"
                attributes["username"] = ""
                expected_datumaro.append((
                    "mask" if args.segmentation == "mask" else "polygon", geometry, label_of(obj),
                    top["id"], alone, attributes))
            datumaro_items[(subset, item_id)] = expected_datumaro

    datumaro = check_with_datumaro(args.out, datumaro_items, failures)
    for failure in failures[:30]:
        print("MISMATCH", failure)
    print(
        f"verify_label_me: {items} items, {objects_checked} objects ({args.segmentation}) and {pixels} "
        f"pixels compared with the source; {datumaro}; {len(failures)} mismatches"
    )
    if not items:
        print("verify_label_me: nothing was checked")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
