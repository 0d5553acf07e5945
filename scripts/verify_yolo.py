#!/usr/bin/env python3
"""Checks an Ultralytics YOLO export of an ADE20K dataset against the source.

Reads the output as Ultralytics does (per `ultralytics/data/utils.py`:
`img2label_paths`, `verify_image_label`, `check_det_dataset`), with PyYAML,
NumPy and Pillow, and the source dataset independently (item JSONs and
instance masks):

- `data.yaml` parses as a mapping: `path` is the absolute path of the output
  folder, `train`/`val` (or the subset's own name) is `images/<subset>` for
  `training`/`validation` (and the other subsets), and `names` maps 0..N-1
  to one name per class, classes in class index order, each named by its
  first synonym or full WordNet name;
- every item has `labels/<subset>/<item id>.txt`, which is where Ultralytics
  looks for the labels of `images/<subset>/<item id>.<ext>` (the last
  `/images/` replaced by `/labels/`, the extension by `.txt`); the image, when
  present (not with --media none), is the source image byte for byte;
- each label file has one line per object (and part, unless --no-parts) with
  pixels in its mask (visible, or amodal with --amodal), in annotation order:
  an integer class in range whose name is the object's class, then
  coordinates in [0, 1] (at most 6 decimals);
- segment (default): an even number of coordinates, at least 3 points; the
  polygon, scaled to the image and filled with the even-odd rule at pixel
  centres, is exactly the mask; its vertices are pixel corners (up to the
  rounding to 6 decimals); filled with Pillow's `ImageDraw.polygon` at those
  corners (Pillow fills the boundary too, so the mask grows by the pixels
  right of and below it), it is exactly that grown mask for masks of one
  component, and its IoU with it is at least 0.9 for masks of several
  (joined by bridges Pillow draws as lines);
- detect (--task detect): `cx cy w h` is the mask's tight box.

If Ultralytics imports (`import ultralytics`), and the images are present (not
with --media none), `check_det_dataset` loads `data.yaml` (when it has
`train` and `val`), `img2label_paths` maps every image to its label file,
and `verify_image_label` reads every pair: no pair may be corrupt, and the labels, boxes and
segments it returns must be the lines written (less the duplicate rows it
drops). If Datumaro imports, a detect export whose item ids have no folders
is imported as `yolo` and its items, boxes and label names compared. Without
them those parts are skipped, with a message.

Usage:
    python3 scripts/verify_yolo.py --dataset tests/assets/ade20k2020 --out out/yolo \
        [--task segment|detect] [--amodal] [--no-parts]

`--dataset` is the folder whose children are the subsets; the export must have
used the default label selection and naming. Exits 1 on any mismatch.
"""

import argparse
import os
import sys
from collections import deque

import numpy as np
import yaml
from PIL import Image, ImageDraw

from ade20k_source import first_synonym, load_annotation_json, source_items, source_mask

SPLIT_KEYS = {"training": "train", "validation": "val"}
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")


def label_path_of(image_path):
    """Where Ultralytics looks for an image's labels (`img2label_paths`)."""
    images, labels = f"{os.sep}images{os.sep}", f"{os.sep}labels{os.sep}"
    return labels.join(image_path.rsplit(images, 1)).rsplit(".", 1)[0] + ".txt"


def components(mask):
    """Number of 8-connected components of the set pixels."""
    seen = np.zeros(mask.shape, dtype=bool)
    height, width = mask.shape
    count = 0
    for y, x in zip(*np.nonzero(mask)):
        if seen[y, x]:
            continue
        count += 1
        seen[y, x] = True
        queue = deque([(y, x)])
        while queue:
            cy, cx = queue.popleft()
            for ny in range(max(cy - 1, 0), min(cy + 2, height)):
                for nx in range(max(cx - 1, 0), min(cx + 2, width)):
                    if mask[ny, nx] and not seen[ny, nx]:
                        seen[ny, nx] = True
                        queue.append((ny, nx))
    return count


def fill_even_odd(points, width, height):
    """Pixels whose centre (x + 0.5, y + 0.5) is inside the polygon (even-odd
    rule; each edge counts on the half-open row span [top, bottom))."""
    crossings = [[] for _ in range(height)]
    for (x0, y0), (x1, y1) in zip(points, np.roll(points, -1, axis=0)):
        if y0 == y1:
            continue
        top, bottom = min(y0, y1), max(y0, y1)
        for row in range(max(int(np.ceil(top - 0.5)), 0), min(int(np.ceil(bottom - 0.5)), height)):
            centre = row + 0.5
            crossings[row].append(x0 + (centre - y0) * (x1 - x0) / (y1 - y0))
    mask = np.zeros((height, width), dtype=bool)
    for row, xs in enumerate(crossings):
        xs.sort()
        for enter, leave in zip(xs[0::2], xs[1::2]):
            first, end = max(int(np.ceil(enter - 0.5)), 0), min(int(np.ceil(leave - 0.5)), width)
            mask[row, first:end] = True
    return mask


def fill_pillow(points, width, height):
    image = Image.new("L", (width, height), 0)
    ImageDraw.Draw(image).polygon([tuple(p) for p in points.tolist()], fill=1)
    return np.array(image, dtype=bool)


def grown(mask):
    """The mask with the pixels right of, below, and right below each pixel:
    the pixels whose top-left corner lies on a set pixel's square, which is
    what a polygon along the pixel borders covers once its vertices are
    taken as pixel centres."""
    out = mask.copy()
    out[:, 1:] |= mask[:, :-1]
    out[1:, :] |= mask[:-1, :]
    out[1:, 1:] |= mask[:-1, :-1]
    return out


def iou(a, b):
    union = np.logical_or(a, b).sum()
    return np.logical_and(a, b).sum() / union if union else 1.0


def read_data_yaml(out, subsets, failures):
    """The class names of `data.yaml`, by index."""
    path = os.path.join(out, "data.yaml")
    with open(path, encoding="utf-8") as file:
        data = yaml.safe_load(file)
    if not isinstance(data, dict):
        failures.append("data.yaml: not a mapping")
        return []
    if data.get("path") != os.path.realpath(out):
        failures.append(f"data.yaml: path {data.get('path')!r}, expected {os.path.realpath(out)!r}")
    for subset in subsets:
        key = SPLIT_KEYS.get(subset, subset)
        if data.get(key) != f"images/{subset}":
            failures.append(f"data.yaml: {key} is {data.get(key)!r}, expected 'images/{subset}'")
    names = data.get("names")
    if not isinstance(names, dict) or sorted(names) != list(range(len(names))):
        failures.append(f"data.yaml: names is not a mapping of 0..N-1: {names!r}")
        return []
    if not all(isinstance(name, str) for name in names.values()):
        failures.append("data.yaml: a name is not a string")
    return [names[index] for index in range(len(names))]


def parse_line(line, task, class_count, where, failures):
    """(class, coordinates) of one label line, or None."""
    fields = line.split()
    if not fields or not fields[0].isdigit():
        failures.append(f"{where}: `{line[:40]}` does not start with a class index")
        return None
    cls = int(fields[0])
    if cls >= class_count:
        failures.append(f"{where}: class {cls} out of range (names has {class_count})")
    for field in fields[1:]:
        if "e" in field.lower() or len(field.partition(".")[2]) > 6:
            failures.append(f"{where}: coordinate {field} is not written with at most 6 decimals")
    values = np.array([float(field) for field in fields[1:]])
    if values.size and (values.min() < 0 or values.max() > 1):
        failures.append(f"{where}: coordinates outside [0, 1]")
    if task == "detect" and values.size != 4:
        failures.append(f"{where}: {values.size} coordinates, a box has 4")
        return None
    if task == "segment" and (values.size % 2 or values.size < 6):
        failures.append(f"{where}: {values.size} coordinates, a polygon needs an even number, at least 6")
        return None
    return cls, values


def verify_item(out, subset, item_id, json_path, class_of, args, failures, stats):
    """Checks one item; returns its (image path, label path, lines, (height,
    width)) as a list of one, or an empty list without a label file."""
    where = f"{subset}/{item_id}"
    annotation = load_annotation_json(json_path)
    folder = os.path.dirname(json_path)
    height, width = annotation["imsize"][:2]
    ext = os.path.splitext(annotation["filename"])[1]
    image_path = os.path.join(out, "images", subset, *item_id.split("/")) + ext
    label_path = os.path.join(out, "labels", subset, *item_id.split("/")) + ".txt"
    if label_path_of(image_path) != label_path:
        failures.append(f"{where}: Ultralytics would look for its labels at {label_path_of(image_path)}")
    if os.path.exists(image_path):
        source_image = os.path.join(folder, annotation["filename"])
        if open(image_path, "rb").read() != open(source_image, "rb").read():
            failures.append(f"{where}: the image is not the source image")
    if not os.path.exists(label_path):
        failures.append(f"{where}: no label file")
        return []
    lines = open(label_path, encoding="utf-8").read().splitlines()
    objects = [
        (obj, mask)
        for obj in annotation["object"]
        if not (args.no_parts and obj["parts"]["part_level"] > 0)
        for mask in [source_mask(os.path.join(folder, obj["instance_mask"]), args.amodal)]
        if mask.any()
    ]
    if len(lines) != len(objects):
        failures.append(f"{where}: {len(lines)} lines, expected {len(objects)}")
    scale = np.array([width, height], dtype=float)
    for number, (line, (obj, mask)) in enumerate(zip(lines, objects), 1):
        at = f"{where} line {number}"
        parsed = parse_line(line, args.task, len(class_of), at, failures)
        if parsed is None:
            continue
        cls, values = parsed
        if cls < len(class_of) and class_of[cls] != obj["name_ndx"]:
            failures.append(f"{at}: class {cls} is ADE class {class_of[cls]}, the object's is {obj['name_ndx']}")
        if args.task == "detect":
            ys, xs = np.nonzero(mask)
            x0, y0, x1, y1 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
            expected = [(x0 + x1) / 2 / width, (y0 + y1) / 2 / height, (x1 - x0) / width, (y1 - y0) / height]
            if np.abs(values - expected).max() > 1e-6:
                failures.append(f"{at}: box {values.tolist()}, expected {expected}")
            stats["boxes"] += 1
            continue
        points = values.reshape(-1, 2) * scale
        if not np.array_equal(fill_even_odd(points, width, height), mask):
            failures.append(f"{at}: the polygon filled at pixel centres is not the mask")
        # Vertices are pixel corners, up to the rounding to 6 decimals.
        corners = np.round(points)
        if np.abs(points - corners).max() > 5e-7 * scale.max() + 1e-9:
            failures.append(f"{at}: a vertex is not a pixel corner")
        pillow, expected = fill_pillow(corners, width, height), grown(mask)
        if components(mask) == 1:
            stats["single"] += 1
            if not np.array_equal(pillow, expected):
                failures.append(f"{at}: Pillow's fill of the polygon is not the mask grown by its border")
        else:
            stats["joined"] += 1
            stats["min_iou"] = min(stats["min_iou"], iou(pillow, expected))
            if iou(pillow, expected) < 0.9:
                failures.append(f"{at}: Pillow's fill has IoU {iou(pillow, expected):.3f} with the grown mask")
    stats["lines"] += len(lines)
    return [(image_path, label_path, lines, (height, width))]


def distinct_rows(lines, task):
    """How many (class, box) rows Ultralytics keeps: it drops repeated rows,
    a polygon's box being the box of its points."""
    rows = set()
    for line in lines:
        values = np.array(line.split(), dtype=np.float32)
        if task == "segment":
            points = values[1:].reshape(-1, 2)
            low, high = points.min(0), points.max(0)
            values = np.concatenate([values[:1], (low + high) / 2, high - low])
        rows.add(tuple(values.tolist()))
    return len(rows)


def check_with_ultralytics(out, pairs, class_count, task, failures):
    """Reads the output with Ultralytics' own dataset checks; a message."""
    try:
        from ultralytics.data.utils import check_det_dataset, img2label_paths, verify_image_label
    except ImportError:
        return "Ultralytics not installed: its checks skipped"
    present = [pair for pair in pairs if os.path.exists(pair[0])]
    if not present:
        return "Ultralytics: no images (--media none): skipped"
    with open(os.path.join(out, "data.yaml"), encoding="utf-8") as file:
        keys = yaml.safe_load(file)
    if "train" in keys and "val" in keys:
        data = check_det_dataset(os.path.join(out, "data.yaml"), autodownload=False)
        if data["nc"] != class_count:
            failures.append(f"Ultralytics: nc {data['nc']}, expected {class_count}")
    for image_path, label_path, lines, shape in present:
        if img2label_paths([image_path]) != [label_path]:
            failures.append(f"Ultralytics: {image_path} maps to {img2label_paths([image_path])}")
        result = verify_image_label((image_path, label_path, "", False, class_count, 0, 0, False))
        _, labels, read_shape, segments, _, missing, found, empty, corrupt, message = result
        if corrupt or missing or read_shape != shape:
            failures.append(f"Ultralytics: {image_path}: {message or 'missing or wrong size'}")
            continue
        expected = distinct_rows(lines, task)
        if len(labels) != expected or (task == "segment" and len(segments) != len(labels)):
            failures.append(
                f"Ultralytics: {image_path}: {len(labels)} labels and {len(segments)} segments, "
                f"expected {expected} (the distinct class and box rows)"
            )
    return f"Ultralytics read {len(present)} image/label pairs"


def check_with_datumaro(out, items, names, total_lines, task, failures):
    """Imports a flat detect export with Datumaro; a message."""
    if task != "detect" or any("/" in item_id for _, item_id, _ in items):
        return "Datumaro reads only boxes of items without folders: skipped"
    try:
        from datumaro import Dataset
    except ImportError:
        return "Datumaro not installed: skipped"
    from datumaro.components.annotation import AnnotationType

    dataset = Dataset.import_from(out, "yolo")
    annotations = sum(len(item.annotations) for item in dataset)
    labels = [label.name for label in dataset.categories()[AnnotationType.label]]
    if labels != names:
        failures.append(f"Datumaro: labels {labels}, expected {names}")
    if len(dataset) != len(items) or annotations != total_lines:
        failures.append(f"Datumaro: {len(dataset)} items, {annotations} boxes; expected {len(items)}, {total_lines}")
    return f"Datumaro imported {len(dataset)} items, {annotations} boxes"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--task", choices=["segment", "detect"], default="segment")
    parser.add_argument("--amodal", action="store_true")
    parser.add_argument("--no-parts", action="store_true")
    args = parser.parse_args()
    failures = []
    items = source_items(args.dataset)
    subsets = sorted({subset for subset, _, _ in items})
    names = read_data_yaml(args.out, subsets, failures)
    classes = {}
    for _, _, json_path in items:
        for obj in load_annotation_json(json_path)["object"]:
            classes.setdefault(obj["name_ndx"], obj["name"])
    class_of = sorted(classes)
    if len(names) != len(class_of):
        failures.append(f"data.yaml: {len(names)} names, the dataset has {len(class_of)} classes")
    for index, name in zip(class_of, names):
        if name not in (classes[index], first_synonym(classes[index])):
            failures.append(f"data.yaml: class {index} {classes[index]!r} named {name!r}")
    stats = {"lines": 0, "boxes": 0, "single": 0, "joined": 0, "min_iou": 1.0}
    pairs = []
    for subset, item_id, json_path in items:
        pairs += verify_item(args.out, subset, item_id, json_path, class_of, args, failures, stats)
    messages = [
        check_with_ultralytics(args.out, pairs, len(names), args.task, failures),
        check_with_datumaro(args.out, items, names, stats["lines"], args.task, failures),
    ]
    for message in messages:
        print(f"  {message}")
    if failures:
        for failure in failures[:50]:
            print(f"FAIL {failure}")
        print(f"verify_yolo: {len(failures)} mismatches")
        return 1
    if args.task == "detect":
        shapes = f"{stats['boxes']} boxes equal the masks' tight boxes"
    else:
        shapes = f"{stats['single'] + stats['joined']} polygons fill their masks exactly"
        if stats["joined"]:
            shapes += f" ({stats['joined']} joined from several components, Pillow IoU >= {stats['min_iou']:.3f})"
    print(f"verify_yolo: OK: {len(items)} items, {len(names)} classes, {stats['lines']} lines; {shapes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
