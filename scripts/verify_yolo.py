#!/usr/bin/env python3
"""Checks an Ultralytics YOLO export of an ADE20K dataset against the source.

Reads the output as Ultralytics does (per `ultralytics/data/utils.py`:
`img2label_paths`, `verify_image_label`, `check_det_dataset`), with PyYAML,
NumPy, Pillow and OpenCV, and the source dataset independently (item JSONs and
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
- segment (default): an even number of coordinates, at least 3 points; each
  vertex is the centre of a pixel (up to the rounding to 6 decimals), and
  Ultralytics' float32 scaling and int32 truncation give that pixel back;
  filled by `cv2.fillPoly` (without resampling), the vertices give exactly the
  mask when it has one component, and the mask and more (the links between
  its components, drawn as lines) when it has several (with --exact, for an
  export with --simplify 0); each line is rasterised as Ultralytics trains on
  it (`ultralytics_raster.py`: float32, resampling, int32, fillPoly) and the
  mean IoU with the masks, the label bytes and the longest line are printed,
  and checked against --min-mean-iou and --max-label-bytes when given;
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
        [--task segment|detect] [--amodal] [--no-parts] [--exact] \
        [--min-mean-iou X] [--max-label-bytes N]

`--dataset` is the folder whose children are the subsets; the export must have
used the default label selection and naming. Exits 1 on any mismatch.
"""

import argparse
import os
import sys

import cv2
import numpy as np
import yaml

import ultralytics_raster
from ade20k_source import first_synonym, load_annotation_json, source_items, source_mask

SPLIT_KEYS = {"training": "train", "validation": "val"}
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")


def label_path_of(image_path):
    """Where Ultralytics looks for an image's labels (`img2label_paths`)."""
    images, labels = f"{os.sep}images{os.sep}", f"{os.sep}labels{os.sep}"
    return labels.join(image_path.rsplit(images, 1)).rsplit(".", 1)[0] + ".txt"


def components(mask):
    """Number of 8-connected components of the set pixels (OpenCV's labelling)."""
    count, _ = cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)
    return count - 1


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
        check_polygon(values, mask, width, height, at, args, failures, stats)
    if args.task == "segment" and len(lines) == len(objects):
        text = "\n".join(lines)
        rasterised = ultralytics_raster.masks([points for _, points in ultralytics_raster.parse_segments(text)], width, height)
        for (_, mask), filled in zip(objects, rasterised):
            stats["ious"].append(iou(filled, mask))
        stats["bytes"] += os.path.getsize(label_path)
        stats["max_points"] = max([stats["max_points"]] + [(len(line.split()) - 1) // 2 for line in lines])
    stats["lines"] += len(lines)
    return [(image_path, label_path, lines, (height, width))]


def check_polygon(values, mask, width, height, at, args, failures, stats):
    """Checks one polygon line against its mask: every vertex is the centre of
    a pixel, which Ultralytics' float32 scaling and int32 truncation recover;
    filled by `cv2.fillPoly` without resampling, the vertices give exactly
    the mask when it has one component (with --exact), and the mask and more
    when it has several (the links between components are drawn)."""
    scale = np.array([width, height], dtype=float)
    points = values.reshape(-1, 2) * scale
    pixels = np.round(points - 0.5)
    if np.abs(points - pixels - 0.5).max() > 5e-7 * scale.max() + 1e-9:
        failures.append(f"{at}: a vertex is not a pixel centre")
    truncated = (values.astype(np.float32).reshape(-1, 2) * scale.astype(np.float32)).astype(np.int32)
    if not np.array_equal(truncated, pixels):
        failures.append(f"{at}: float32 scaling and int32 truncation do not give the pixels of the vertices")
    filled = ultralytics_raster.fill(pixels, width, height)
    if components(mask) == 1:
        stats["single"] += 1
        if args.exact and not np.array_equal(filled, mask):
            failures.append(f"{at}: cv2.fillPoly of the vertices is not the mask (IoU {iou(filled, mask):.4f})")
    else:
        stats["joined"] += 1
        if args.exact and (mask & ~filled).any():
            failures.append(f"{at}: cv2.fillPoly of the vertices misses pixels of the mask")


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
    parser.add_argument("--exact", action="store_true", help="the export used --simplify 0")
    parser.add_argument("--min-mean-iou", type=float, default=0.0,
                        help="fail when the mean IoU under Ultralytics' rasteriser is lower")
    parser.add_argument("--max-label-bytes", type=int, help="fail when the label files hold more bytes")
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
    stats = {"lines": 0, "boxes": 0, "single": 0, "joined": 0, "ious": [], "bytes": 0, "max_points": 0}
    pairs = []
    for subset, item_id, json_path in items:
        pairs += verify_item(args.out, subset, item_id, json_path, class_of, args, failures, stats)
    messages = [
        check_with_ultralytics(args.out, pairs, len(names), args.task, failures),
        check_with_datumaro(args.out, items, names, stats["lines"], args.task, failures),
    ]
    if args.task == "segment":
        messages.append(measure_polygons(stats, args, failures))
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
        exact = "fill their masks exactly" if args.exact else "have pixel-centre vertices"
        shapes = f"{stats['single'] + stats['joined']} polygons {exact}"
        if stats["joined"]:
            shapes += f" ({stats['joined']} joined from several components)"
    print(f"verify_yolo: OK: {len(items)} items, {len(names)} classes, {stats['lines']} lines; {shapes}")
    return 0


def measure_polygons(stats, args, failures):
    """The IoU of each polygon, rasterised as Ultralytics does, with its mask,
    and the size of the labels, checked against the limits given; a message."""
    ious = np.array(stats["ious"]) if stats["ious"] else np.ones(1)
    if ious.mean() < args.min_mean_iou:
        failures.append(f"mean IoU {ious.mean():.4f} under Ultralytics' rasteriser, below {args.min_mean_iou}")
    if args.max_label_bytes is not None and stats["bytes"] > args.max_label_bytes:
        failures.append(f"label files hold {stats['bytes']} bytes, more than {args.max_label_bytes}")
    return (
        f"Ultralytics' rasteriser (scripts/ultralytics_raster.py): mean IoU {ious.mean():.4f}, "
        f"min {ious.min():.4f} over {len(stats['ious'])} polygons; "
        f"labels {stats['bytes']} bytes, at most {stats['max_points']} points a line"
    )


if __name__ == "__main__":
    sys.exit(main())
