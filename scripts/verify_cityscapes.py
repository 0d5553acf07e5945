#!/usr/bin/env python3
"""Checks a Cityscapes export of an ADE20K dataset with independent readers.

Reads the source dataset itself (JSON, `_seg.png` decoded as
class = (R // 10) * 256 + G, instance masks) and the output with Pillow and
NumPy, and checks, for every item:

- the files `gtFine/<subset>/<city>/<name>_gtFine_{labelIds,instanceIds,color}.png`
  and `_gtFine_polygons.json` exist (and the image in `leftImg8bit/` when images
  were written), with `<city>` the item's folder with `/` replaced by `_`
  (`ade20k` for items directly in the subset);
- `label_colors.txt` lists `unlabeled` and every class of the dataset by class
  index, under its canonical name with white space replaced by `_`;
- labelIds (8-bit) equal the classes of the level-0 objects' visible instance
  masks (value 255) through those ids: the export follows the instance masks.
  Where the release's `_seg.png` disagrees with its own instance masks (real
  items do, by a few hundred pixels), the pixels are counted and reported, not
  failed; on the synthetic fixtures the two agree;
- instanceIds (16-bit) hold id * 1000 + n on thing pixels and id on stuff pixels
  (`--stuff FILE` names the stuff classes, as given to the export); the
  visible mask of each level-0 object of a thing class is one instance value
  of its own, and the instances per image number the level-0 objects of thing
  classes whose instance mask has visible pixels;
- the colour image (RGBA) holds each label's colour from `label_colors.txt`;
- the polygons JSON has the Cityscapes schema, and its polygons, filled even-odd
  at pixel centres and drawn in order, give back labelIds exactly.

When cityscapesScripts is installed (`pip install --no-deps cityscapesScripts
pyquaternion` is enough), its own reader (`Annotation`) loads every
polygons file and its `json2labelImg` renders it with this export's labels; as
Pillow also colours polygon outlines, the rendering must match labelIds on every
pixel whose 3 x 3 neighbourhood has one label. When Datumaro is installed and
images were written, `Dataset.import_from(out, 'cityscapes')` must find every
item and one mask per label id that appears as a value of instanceIds.

Usage:
    python3 scripts/verify_cityscapes.py --dataset tests/assets/ade20k2020 --out out/cityscapes [--stuff FILE]

`--dataset` is the folder whose children are the subsets. Exits 1 on any mismatch.
"""

import argparse
import json
import os
import sys

import numpy as np
from PIL import Image

from ade20k_source import load_annotation_json, source_mask


def source_items(dataset):
    """(subset, item id, json path) of every item: a `<name>.json` beside `<name>_seg.png`."""
    found = []
    for subset in sorted(os.listdir(dataset)):
        root = os.path.join(dataset, subset)
        if not os.path.isdir(root):
            continue
        for folder, _, names in os.walk(root):
            for name in names:
                stem, ext = os.path.splitext(name)
                if ext == ".json" and stem + "_seg.png" in names:
                    item_id = os.path.relpath(os.path.join(folder, stem), root).replace(os.sep, "/")
                    found.append((subset, item_id, os.path.join(folder, name)))
    return sorted(found)


def first_synonym(name):
    return name.split(",")[0].strip()


def normalize(name):
    return ", ".join(part.strip().lower() for part in name.replace(";", ",").split(","))


def canonical_names(classes):
    """class index -> first synonym, or the full name where two classes share it."""
    synonyms, fulls = {}, {}
    for name in classes.values():
        synonyms[first_synonym(name)] = synonyms.get(first_synonym(name), 0) + 1
        fulls[name] = fulls.get(name, 0) + 1
    names = {}
    for index, name in classes.items():
        if synonyms[first_synonym(name)] == 1:
            names[index] = first_synonym(name)
        elif fulls[name] == 1:
            names[index] = name
        else:
            names[index] = f"{name} ({index})"
    return names


def label_file_name(name, label_id, taken):
    name = "_".join(name.split()) or f"label_{label_id}"
    while name in taken:
        name = f"{name}_{label_id}"
    taken.add(name)
    return name


def read_label_colors(path):
    """[(name, (r, g, b))] by line, parsed as Datumaro does: four fields, the name last."""
    labels = []
    for line in open(path, encoding="utf-8"):
        fields = line.split()
        if len(fields) != 4:
            raise ValueError(f"label_colors.txt: expected `r g b name`, found {line!r}")
        labels.append((fields[3], tuple(int(c) for c in fields[:3])))
    return labels


def read_stuff(path, classes):
    """Class indices that the stuff file names (index, full name or first synonym)."""
    if not path:
        return set()
    stuff = set()
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        for index, name in classes.items():
            if line == str(index) or normalize(line) in (normalize(name), normalize(first_synonym(name))):
                stuff.add(index)
    return stuff


def fill_even_odd(polygon, width, height):
    """Pixels whose centres lie inside `polygon` (even-odd), for edges along the grid."""
    toggles = np.zeros((height, width + 1), dtype=np.int64)
    for (x0, y0), (x1, y1) in zip(polygon, polygon[1:] + polygon[:1]):
        if x0 != x1 and y0 != y1:
            raise ValueError(f"edge ({x0},{y0})-({x1},{y1}) is not along the pixel grid")
        if x0 == x1 and y0 != y1:
            top, bottom = sorted((y0, y1))
            toggles[max(top, 0):min(bottom, height), min(max(x0, 0), width)] += 1
    return (np.cumsum(toggles, axis=1)[:, :width] % 2).astype(bool)


def interior(labels):
    """Pixels whose 3 x 3 neighbourhood holds a single label."""
    padded = np.pad(labels, 1, mode="edge")
    height, width = labels.shape
    same = np.ones(labels.shape, dtype=bool)
    for dy in range(3):
        for dx in range(3):
            same &= padded[dy:dy + height, dx:dx + width] == labels
    return same


def cityscapes_render(path, label_colors):
    """labelIds rendered by cityscapesScripts from the polygons file, or None."""
    try:
        from cityscapesscripts.helpers.annotation import Annotation
        from cityscapesscripts.helpers.labels import Label
        from cityscapesscripts.preparation import json2labelImg
    except ImportError:
        return None
    json2labelImg.name2label = {
        name: Label(name, label_id, label_id, "ade20k", 0, True, False, color)
        for label_id, (name, color) in enumerate(label_colors)
    }
    annotation = Annotation()
    annotation.fromJsonFile(path)
    return np.array(json2labelImg.createLabelImage(annotation, "ids"))


def check_datumaro(out, label_colors, expected_items, failures):
    """Imports `out` with Datumaro; returns a one-line result or the reason it was skipped."""
    try:
        import datumaro as dm
    except ImportError:
        return "Datumaro not installed: import skipped"
    if not os.path.isdir(os.path.join(out, "leftImg8bit")):
        return "Datumaro import skipped: it needs leftImg8bit/ (export without --media none)"
    dataset = dm.Dataset.import_from(out, "cityscapes")
    names = [label.name for label in dataset.categories()[dm.AnnotationType.label]]
    if names != [name for name, _ in label_colors]:
        failures.append(f"Datumaro labels {names} differ from label_colors.txt")
    masks = 0
    seen = set()
    for item in dataset:
        key = (item.subset, item.id)
        seen.add(key)
        if key not in expected_items:
            failures.append(f"Datumaro found an unknown item {key}")
            continue
        if item.media is None:
            failures.append(f"Datumaro found no image for {key}")
        instance_ids = expected_items[key]
        expected = {v for v in np.unique(instance_ids).tolist() if 0 < v < len(label_colors)}
        found = {}
        for annotation in item.annotations:
            if annotation.type == dm.AnnotationType.mask:
                found[annotation.label] = annotation.image
        if set(found) != expected:
            failures.append(f"Datumaro {key}: masks of labels {sorted(found)}, expected {sorted(expected)}")
        for label, image in found.items():
            if not np.array_equal(np.asarray(image, dtype=bool), instance_ids == label):
                failures.append(f"Datumaro {key}: mask of label {label} differs")
        masks += len(found)
    for key in set(expected_items) - seen:
        failures.append(f"Datumaro did not find {key}")
    return f"Datumaro {dm.__version__} imported {len(seen)} items, {masks} masks"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True, help="folder whose children are subsets")
    parser.add_argument("--out", required=True, help="the cityscapes output folder")
    parser.add_argument("--stuff", help="the --stuff FILE given to the export")
    args = parser.parse_args()
    failures = []

    items = []
    classes = {}
    for subset, item_id, json_path in source_items(args.dataset):
        annotation = load_annotation_json(json_path)
        items.append((subset, item_id, json_path, annotation))
        for obj in annotation["object"]:
            classes.setdefault(int(obj["name_ndx"]), obj["name"])
    classes = dict(sorted(classes.items()))
    stuff_classes = read_stuff(args.stuff, classes)

    label_colors = read_label_colors(os.path.join(args.out, "label_colors.txt"))
    taken = {"unlabeled"}
    canonical = canonical_names(classes)
    expected_names = ["unlabeled"] + [
        label_file_name(canonical[index], label_id, taken)
        for label_id, index in enumerate(classes, start=1)
    ]
    if [name for name, _ in label_colors] != expected_names:
        failures.append(f"label_colors.txt names {[n for n, _ in label_colors]}, expected {expected_names}")
    if label_colors and label_colors[0] != ("unlabeled", (0, 0, 0)):
        failures.append(f"label 0 is {label_colors[0]}, expected unlabeled, black")
    id_of_class = {index: label_id for label_id, index in enumerate(classes, start=1)}
    is_stuff = np.zeros(len(label_colors) + 1, dtype=bool)
    for index in stuff_classes:
        is_stuff[id_of_class[index]] = True
    lut = np.zeros(max(classes, default=0) + 1, dtype=np.int64)
    for index, label_id in id_of_class.items():
        lut[index] = label_id
    colors = np.array([color for _, color in label_colors] or [(0, 0, 0)], dtype=np.int64)
    names = {name: label_id for label_id, (name, _) in enumerate(label_colors)}

    pixels = instances = polygons = rendered = outline_pixels = seg_disagrees = 0
    ious = []
    datumaro_items = {}
    for subset, item_id, json_path, annotation in items:
        folder, _, name = item_id.rpartition("/")
        city = folder.replace("/", "_") if folder else "ade20k"
        prefix = os.path.join(args.out, "gtFine", subset, city, f"{name}_gtFine_")
        where = f"{subset}/{item_id}"
        paths = {kind: prefix + kind for kind in ("labelIds.png", "instanceIds.png", "color.png", "polygons.json")}
        missing = [p for p in paths.values() if not os.path.isfile(p)]
        if missing:
            failures.append(f"{where}: missing {missing}")
            continue
        images_dir = os.path.join(args.out, "leftImg8bit")
        if os.path.isdir(images_dir):
            image_ext = os.path.splitext(annotation["filename"])[1]
            image = os.path.join(images_dir, subset, city, f"{name}_leftImg8bit{image_ext}")
            if not os.path.isfile(image):
                failures.append(f"{where}: no image {image}")

        seg = np.array(Image.open(json_path[:-len(".json")] + "_seg.png").convert("RGB")).astype(np.int64)
        class_map = (seg[..., 0] // 10) * 256 + seg[..., 1]
        height, width = class_map.shape
        from_seg = lut[np.clip(class_map, 0, len(lut) - 1)] * (class_map < len(lut))
        folder_of_json = os.path.dirname(json_path)
        visible_objects = []
        expected = np.zeros((height, width), dtype=np.int64)
        for obj in annotation["object"]:
            if obj["parts"]["part_level"] != 0:
                continue
            visible = source_mask(os.path.join(folder_of_json, obj["instance_mask"]), False)
            label_id = id_of_class.get(int(obj["name_ndx"]), 0)
            expected[visible] = label_id
            if visible.any():
                visible_objects.append((label_id, visible))
        seg_disagrees += int(np.sum(expected != from_seg))

        label_image = Image.open(paths["labelIds.png"])
        label_ids = np.array(label_image).astype(np.int64)
        if label_image.mode != "L" or label_ids.shape != (height, width):
            failures.append(f"{where}: labelIds mode {label_image.mode} size {label_ids.shape}")
            continue
        differ = int(np.sum(label_ids != expected))
        if differ:
            failures.append(f"{where}: {differ} labelIds pixels differ from the instance masks")
        pixels += label_ids.size

        instance_image = Image.open(paths["instanceIds.png"])
        instance_ids = np.array(instance_image).astype(np.int64)
        if instance_image.mode not in ("I;16", "I;16B", "I") or instance_ids.shape != (height, width):
            failures.append(f"{where}: instanceIds mode {instance_image.mode} (16-bit expected)")
            continue
        datumaro_items[(subset, f"{city}/{name}")] = instance_ids
        things = instance_ids >= 1000
        if not np.array_equal(label_ids[things], instance_ids[things] // 1000):
            failures.append(f"{where}: labelIds != instanceIds // 1000 on thing pixels")
        if not np.array_equal(label_ids[~things], instance_ids[~things]):
            failures.append(f"{where}: labelIds != instanceIds on stuff and unlabeled pixels")
        if is_stuff[label_ids[things]].any():
            failures.append(f"{where}: a stuff class has instance values")
        polygons_json = json.load(open(paths["polygons.json"], encoding="utf-8"))
        group_ids = {names.get(o.get("label", "")[:-len("group")]) for o in polygons_json.get("objects", [])
                     if o.get("label", "").endswith("group")}
        unnumbered = set(np.unique(label_ids[(~things) & (label_ids > 0)]).tolist())
        for label_id in unnumbered:
            if not is_stuff[label_id] and label_id not in group_ids:
                failures.append(f"{where}: thing label {label_id} has pixels without an instance number")

        # The visible mask of each level-0 object of a thing class is one instance of its own.
        object_values = []
        for label_id, visible in visible_objects:
            if label_id == 0 or is_stuff[label_id]:
                continue
            values = np.unique(instance_ids[visible]).tolist()
            if len(values) != 1:
                failures.append(f"{where}: an object's visible mask has instance values {values}")
            object_values.append(values[0])
        if len(set(object_values)) != len(object_values):
            failures.append(f"{where}: two visible objects share an instance value")
        thing_objects = len(object_values)
        numbered = len(np.unique(instance_ids[things]))
        if numbered != thing_objects:
            failures.append(f"{where}: {numbered} instances, {thing_objects} visible thing objects")
        instances += numbered

        color_image = Image.open(paths["color.png"])
        color = np.array(color_image).astype(np.int64)
        if color_image.mode != "RGBA":
            failures.append(f"{where}: colour image mode {color_image.mode}, RGBA expected")
        elif not (np.array_equal(color[..., :3], colors[label_ids]) and (color[..., 3] == 255).all()):
            failures.append(f"{where}: colour image differs from label_colors.txt")

        if set(polygons_json) != {"imgHeight", "imgWidth", "objects"}:
            failures.append(f"{where}: polygons keys {sorted(polygons_json)}")
        if polygons_json.get("imgHeight") != height or polygons_json.get("imgWidth") != width:
            failures.append(f"{where}: polygons size {polygons_json.get('imgWidth')}x{polygons_json.get('imgHeight')}")
        painted = np.zeros((height, width), dtype=np.int64)
        for obj in polygons_json.get("objects", []):
            label = obj.get("label")
            polygon = obj.get("polygon")
            label_id = names.get(label, names.get((label or "")[:-len("group")]))
            valid = (
                set(obj) == {"label", "polygon"} and label_id is not None and isinstance(polygon, list)
                and len(polygon) >= 3
                and all(isinstance(p, list) and len(p) == 2 and all(isinstance(v, int) for v in p) for p in polygon)
                and all(0 <= x <= width and 0 <= y <= height for x, y in polygon)
            )
            if not valid:
                failures.append(f"{where}: bad polygon object {json.dumps(obj)[:120]}")
                continue
            try:
                painted[fill_even_odd([tuple(p) for p in polygon], width, height)] = label_id
            except ValueError as error:
                failures.append(f"{where}: {error}")
            polygons += 1
        differ = int(np.sum(painted != label_ids))
        if differ:
            failures.append(f"{where}: polygons filled give {differ} pixels other than labelIds")

        render = cityscapes_render(paths["polygons.json"], label_colors)
        if render is not None:
            rendered += 1
            inner = interior(label_ids)
            differ = int(np.sum((render != label_ids) & inner))
            if render.shape != label_ids.shape or differ:
                failures.append(f"{where}: json2labelImg differs from labelIds on {differ} interior pixels")
            outline_pixels += int(np.sum(render != label_ids))
            for label_id in np.unique(label_ids[label_ids != 0]):
                rendered_label, source_label = render == label_id, label_ids == label_id
                ious.append((rendered_label & source_label).sum() / (rendered_label | source_label).sum())

    datumaro = check_datumaro(args.out, label_colors, datumaro_items, failures)
    for failure in failures:
        print("MISMATCH", failure)
    cross_check = (
        f"json2labelImg rendered {rendered} polygon files ({outline_pixels} outline pixels differ, as expected; "
        f"IoU with labelIds per label and image: mean {np.mean(ious):.4f}, min {np.min(ious):.4f})"
        if rendered else "cityscapesScripts not installed: json2labelImg skipped"
    )
    print(
        f"verify_cityscapes: {len(items)} items, {pixels} label pixels, {instances} instances, "
        f"{polygons} polygons checked; {seg_disagrees} pixels where _seg.png disagrees with the "
        f"instance masks (followed); {cross_check}; {datumaro}; {len(failures)} mismatches"
    )
    if not items:
        print("verify_cityscapes: nothing was checked")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
