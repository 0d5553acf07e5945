#!/usr/bin/env python3
"""Checks a CVAT for images 1.1 export of an ADE20K dataset against the source.

Reads `annotations.xml` with the standard library (xml.etree), the source
dataset independently (item JSONs, instance masks, images) with NumPy and
Pillow, and checks:

- `<version>` 1.1; the project's labels are the expected ones in order
  (canonical names, made distinct, by class index), each declaring `crop`,
  `part_level` and every attribute word its shapes use; one `<task>` per
  subset, its `<subset>` the subset's name and `<size>` its item count;
- one `<image>` per item, in item order, `id` from 0, `name` `<item id>.<ext>`,
  `subset`, `task_id` its subset's task and the image's size (read with
  Pillow); the image under `images/<subset>/` is the source's, byte for byte,
  when images were written;
- every object and part (unless --no-parts) with pixels in its mask (visible,
  or amodal with --amodal), in annotation order, is:
  * (default) one `<mask>` whose CVAT RLE (row-major runs over
    left/top/width/height, the first run unset), decoded here, equals the mask
    pixel for pixel;
  * (--segmentation polygon) one or more `<polygon>`s which, filled even-odd
    and sampled at pixel centres (rasterized here with NumPy), cover exactly
    the mask: the IoU bound checked is 1, no pixel may differ;
  * (--segmentation source-polygon) one `<polygon>` whose points are the
    annotator's polygon exactly, for objects whose polygon has 3 points or
    more (the others are left out);
- each shape has the object's label, `occluded` (1 only when annotated yes),
  `z_order` (R + 1 - rank for the item's greatest depth rank R, else the
  nearest ranked parent's, else 0), `group_id` 1 + the ADE id of its level-0
  object when that object has more than one shape written (none otherwise),
  and the attributes `crop`, `part_level` and its attribute words as `true`.

Then Datumaro's own importer (`Dataset.import_from(out, "cvat")`, Datumaro
1.13.12: `pip install -r scripts/requirements-datumaro.txt`) must find every
item (with its image when images were written), the labels in order, and the
shapes in order: masks equal to the source masks pixel for pixel, polygons
with the points written, and each with the group, z order and attributes
(`occluded` and `crop` booleans, `part_level` a number, words `True`)
expected. Datumaro refuses an image it cannot find, so that part needs an
export with images (not `--media none`); without them, or without Datumaro,
it is skipped, with a message.

Usage:
    python3 scripts/verify_cvat.py --dataset tests/assets/ade20k2020 --out out/cvat \\
        [--amodal] [--no-parts] [--segmentation mask|polygon|source-polygon]

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


def decode_cvat_rle(shape, width, height):
    """The full-image mask of a `<mask>` element."""
    left, top = int(shape.get("left")), int(shape.get("top"))
    box_width, box_height = int(shape.get("width")), int(shape.get("height"))
    counts = [int(count) for count in shape.get("rle").split(",")]
    values = np.arange(len(counts)) % 2 == 1
    inside = np.repeat(values, counts)
    if inside.size != box_width * box_height:
        raise ValueError(f"runs cover {inside.size} pixels, the box has {box_width * box_height}")
    mask = np.zeros((height, width), dtype=bool)
    mask[top:top + box_height, left:left + box_width] = inside.reshape(box_height, box_width)
    return mask


def parse_points(text):
    return [[float(c) for c in pair.split(",")] for pair in text.split(";")]


def rasterize_even_odd(points, width, height):
    """Pixels whose centre a ray to the right crosses the polygon an odd number of times from."""
    counts = np.zeros((height, width + 1), dtype=np.int64)
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1]):
        if y0 == y1:
            continue
        low, high = sorted((y0, y1))
        rows = np.arange(max(0, int(np.ceil(low - 0.5))), min(height, int(np.ceil(high - 0.5))))
        centres = rows + 0.5
        crossing = x0 + (centres - y0) * (x1 - x0) / (y1 - y0)
        # Pixels left of the crossing (centre x + 0.5 < crossing) see it on their right.
        ends = np.clip(np.ceil(crossing - 0.5).astype(np.int64), 0, width)
        np.add.at(counts, (rows, 0), 1)
        np.add.at(counts, (rows, ends), -1)
    return (np.cumsum(counts, axis=1)[:, :width] % 2) == 1


def expected_shapes(source, subset, item_id, json_path, segmentation):
    """[(object, mask or None, root id, z order)] of the objects written, in order."""
    annotation = source.annotations[(subset, item_id)]
    objects = {obj["id"]: obj for obj in annotation["object"]}
    masks = source.masks(subset, item_id, json_path)

    def chain(obj):
        for _ in range(len(objects) + 1):
            yield obj
            parent = as_list(obj["parts"].get("ispartof"))
            if not parent or parent[0] not in objects:
                return
            obj = objects[parent[0]]

    ranks = [obj["depth_ordering_rank"] for obj in annotation["object"]
             if obj.get("depth_ordering_rank") is not None]
    deepest = max(ranks) if ranks else 0
    written = []
    for obj in annotation["object"]:
        if obj["id"] not in masks:
            continue
        if segmentation == "source-polygon" and len((obj.get("polygon") or {}).get("x", [])) < 3:
            continue
        root = list(chain(obj))[-1]["id"]
        z_order = 0
        for ancestor in chain(obj):
            if ancestor.get("depth_ordering_rank") is not None:
                z_order = deepest + 1 - ancestor["depth_ordering_rank"]
                break
        written.append((obj, masks[obj["id"]], root, z_order))
    return written


def check_shape(where, shape, obj, root, z_order, groups, label_of, failures):
    """Compares the fields and attributes of one shape with its object."""
    expected_fields = {
        "label": label_of(obj),
        "occluded": "1" if obj.get("occluded") == "yes" else "0",
        "z_order": str(z_order),
        "group_id": str(root + 1) if groups[root] > 1 else None,
    }
    for field, value in expected_fields.items():
        if shape.get(field) != value:
            failures.append(f"{where}: {field} {shape.get(field)!r}, expected {value!r}")
    attributes = {a.get("name"): a.text for a in shape.findall("attribute")}
    expected = {word: "true" for word in as_list(obj.get("attributes")) if word and word not in RESERVED}
    expected["crop"] = "true" if str(obj.get("crop", 0)) == "1" else "false"
    expected["part_level"] = str(obj["parts"]["part_level"])
    if attributes != expected:
        failures.append(f"{where}: attributes {attributes}, expected {expected}")
    return expected


def check_with_datumaro(out, names, expected_items, with_images, failures):
    """Imports the output with Datumaro; a one-line note on what was checked."""
    try:
        import datumaro as dm
    except ImportError:
        return NOT_INSTALLED
    if not with_images:
        return "no images written (--media none), which Datumaro needs: its import skipped"
    dataset = dm.Dataset.import_from(out, "cvat")
    found_names = [label.name for label in dataset.categories()[dm.AnnotationType.label]]
    if found_names != names:
        failures.append(f"Datumaro labels {found_names[:5]}... differ from the meta's")
    shapes = 0
    seen = set()
    for item in dataset:
        key = (item.subset, item.id)
        seen.add(key)
        if key not in expected_items:
            failures.append(f"Datumaro found an unknown item {key}")
            continue
        if with_images and item.media is None:
            failures.append(f"Datumaro found no image for {key}")
        expected = expected_items[key]
        if len(item.annotations) != len(expected):
            failures.append(f"Datumaro {key}: {len(item.annotations)} annotations, expected {len(expected)}")
        for annotation, want in zip(item.annotations, expected):
            shapes += 1
            kind, geometry, label, group, z_order, attributes = want
            if annotation.type.name != kind:
                failures.append(f"Datumaro {key}: a {annotation.type.name}, expected a {kind}")
                continue
            if kind == "mask":
                if not np.array_equal(np.asarray(annotation.image, dtype=bool), geometry):
                    failures.append(f"Datumaro {key}: a mask differs from the source")
            elif [float(p) for p in annotation.points] != [c for point in geometry for c in point]:
                failures.append(f"Datumaro {key}: polygon points differ from those written")
            if (found_names[annotation.label], annotation.group, annotation.z_order) != (label, group, z_order):
                failures.append(
                    f"Datumaro {key}: label, group, z_order "
                    f"{(found_names[annotation.label], annotation.group, annotation.z_order)}, "
                    f"expected {(label, group, z_order)}")
            if annotation.attributes != attributes:
                failures.append(f"Datumaro {key}: attributes {annotation.attributes}, expected {attributes}")
    for key in set(expected_items) - seen:
        failures.append(f"Datumaro did not find {key}")
    return f"Datumaro {dm.__version__} imported {len(seen)} items, {shapes} shapes, compared with the source"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True, help="folder whose children are the subsets")
    parser.add_argument("--out", required=True, help="the cvat export")
    parser.add_argument("--amodal", action="store_true", help="the export used --amodal")
    parser.add_argument("--no-parts", action="store_true", help="the export used --parts exclude")
    parser.add_argument("--segmentation", choices=["mask", "polygon", "source-polygon"], default="mask")
    args = parser.parse_args()
    args.label_name = "canonical"
    failures = []

    source = Source(args.dataset, args)
    names, label_of = source.labels()
    root = ElementTree.parse(os.path.join(args.out, "annotations.xml")).getroot()
    if root.tag != "annotations" or root.findtext("version") != "1.1":
        failures.append(f"root <{root.tag}>, version {root.findtext('version')}")
    project = root.find("meta/project")
    labels = project.findall("labels/label")
    if [label.findtext("name") for label in labels] != names:
        failures.append(f"labels {[label.findtext('name') for label in labels][:5]}..., expected {names[:5]}...")
    declared = {label.findtext("name"): {a.findtext("name") for a in label.findall("attributes/attribute")}
                for label in labels}
    tasks = {task.findtext("subset"): (task.findtext("id"), task.findtext("size"))
             for task in project.findall("tasks/task")}
    expected_tasks = {subset: str(len(items)) for subset, items in source.subsets.items()}
    if {subset: size for subset, (_, size) in tasks.items()} != expected_tasks:
        failures.append(f"tasks {tasks}, expected sizes {expected_tasks}")

    images = root.findall("image")
    source_list = [(subset, item) for subset, items in source.subsets.items() for item in items]
    if len(images) != len(source_list):
        failures.append(f"{len(images)} images, expected {len(source_list)}")
    with_images = os.path.isdir(os.path.join(args.out, "images"))
    datumaro_items = {}
    shapes_checked = pixels = 0
    for number, (image, (subset, (item_id, json_path, image_path))) in enumerate(zip(images, source_list)):
        where = f"{subset}/{item_id}"
        with Image.open(image_path) as photo:
            width, height = photo.size
        name = item_id + os.path.splitext(image_path)[1]
        found = (image.get("id"), image.get("name"), image.get("subset"), image.get("task_id"),
                 image.get("width"), image.get("height"))
        wanted = (str(number), name, subset, tasks.get(subset, (None,))[0], str(width), str(height))
        if found != wanted:
            failures.append(f"{where}: image {found}, expected {wanted}")
            continue
        placed = os.path.join(args.out, "images", subset, name)
        if with_images and open(placed, "rb").read() != open(image_path, "rb").read():
            failures.append(f"{placed}: differs from {image_path}")
        written = expected_shapes(source, subset, item_id, json_path, args.segmentation)
        elements = [element for element in image if element.tag in ("mask", "polygon")]
        # Shapes per level-0 object: the object, its parts and its polygons.
        queue = list(elements)
        matched = []
        for obj, mask, root_id, z_order in written:
            if args.segmentation == "polygon":
                covered = np.zeros_like(mask)
                group = []
                while queue and covered.sum() < mask.sum():
                    element = queue.pop(0)
                    if element.tag != "polygon":
                        failures.append(f"{where}: a <{element.tag}>, expected a <polygon>")
                        break
                    covered ^= rasterize_even_odd(parse_points(element.get("points")), width, height)
                    group.append(element)
                if not np.array_equal(covered, mask):
                    failures.append(f"{where} object {obj['id']}: its polygons differ from the mask "
                                    f"on {int(np.sum(covered != mask))} pixels (IoU must be 1)")
                pixels += mask.size
                matched.append((obj, mask, root_id, z_order, group))
            elif queue:
                matched.append((obj, mask, root_id, z_order, [queue.pop(0)]))
            else:
                failures.append(f"{where}: object {obj['id']} has no shape")
        if queue:
            failures.append(f"{where}: {len(queue)} shapes more than objects")
        groups = {}
        for _, _, root_id, _, group in matched:
            groups[root_id] = groups.get(root_id, 0) + len(group)
        expected_datumaro = []
        for obj, mask, root_id, z_order, group in matched:
            for element in group:
                shapes_checked += 1
                at = f"{where} object {obj['id']}"
                attributes = check_shape(at, element, obj, root_id, z_order, groups, label_of, failures)
                missing = set(attributes) - declared.get(label_of(obj), set())
                if missing:
                    failures.append(f"{at}: attributes {sorted(missing)} not declared for its label")
                if args.segmentation == "mask":
                    if element.tag != "mask":
                        failures.append(f"{at}: a <{element.tag}>, expected a <mask>")
                        continue
                    try:
                        decoded = decode_cvat_rle(element, width, height)
                    except ValueError as error:
                        failures.append(f"{at}: undecodable RLE ({error})")
                        continue
                    if not np.array_equal(decoded, mask):
                        failures.append(f"{at}: mask differs from the source on "
                                        f"{int(np.sum(decoded != mask))} pixels")
                    pixels += mask.size
                    geometry = mask
                else:
                    geometry = parse_points(element.get("points"))
                    if args.segmentation == "source-polygon":
                        polygon = obj["polygon"]
                        if geometry != [[float(x), float(y)] for x, y in zip(polygon["x"], polygon["y"])]:
                            failures.append(f"{at}: points differ from the annotator's polygon")
                datumaro_attributes = {key: value == "true" if value in ("true", "false") else float(value)
                                       for key, value in attributes.items()}
                datumaro_attributes["occluded"] = obj.get("occluded") == "yes"
                expected_datumaro.append((
                    element.tag, geometry, label_of(obj), root_id + 1 if groups[root_id] > 1 else 0,
                    z_order, datumaro_attributes))
        datumaro_items[(subset, item_id)] = expected_datumaro

    datumaro = check_with_datumaro(args.out, names, datumaro_items, with_images, failures)
    for failure in failures[:30]:
        print("MISMATCH", failure)
    print(
        f"verify_cvat: {len(images)} items, {shapes_checked} shapes ({args.segmentation}) and "
        f"{pixels} pixels compared with the source; {datumaro}; {len(failures)} mismatches"
    )
    if not images:
        print("verify_cvat: nothing was checked")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
