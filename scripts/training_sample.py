"""Checking one sample of a `parquet` or `webdataset` export against the source.

Imported by `verify_parquet.py` and `verify_webdataset.py`. A sample is the
item's photo bytes, its class map (decoded by the caller's reader into a
NumPy array) and its record (`id`, `width`, `height`, `scene`, `objects` with
`segmentation` as COCO RLE). The source is read with Pillow, NumPy and
pycocotools only:

- the photo must be the source file's bytes, and decode to its pixels;
- the class map must hold, at each pixel, 1 + the `label` of the source
  class there ((R // 10) * 256 + G of `_seg.png`), 0 where the class is not
  among the item's labelled objects;
- every source object whose instance mask has visible pixels (amodal ones
  with --amodal) must be one object of the sample, with the source's class,
  level and parent, its RLE decoded by pycocotools equal to the source mask
  (visible = 255; 0/1 masks: 1), and `area` and `bbox` agreeing with it;
- `label` must name the object's class (its name or first synonym), unless
  the export selected labels (`--selection`: then objects of classes not
  selected are left out, and a label may merge classes).
"""

import argparse
import io
import os

import numpy as np
from PIL import Image
from pycocotools import mask as mask_utils

from ade20k_source import first_synonym, load_annotation_json, source_mask


def source_photo(dataset, subset, item_id):
    """Path of the item's photo in the source (any extension beside its JSON)."""
    stem = os.path.join(dataset, subset, item_id)
    for extension in ("jpg", "jpeg", "png", "JPG"):
        if os.path.exists(f"{stem}.{extension}"):
            return f"{stem}.{extension}"
    raise FileNotFoundError(f"no photo for {stem}")


def source_class_map(dataset, subset, item_id):
    rgb = np.array(Image.open(os.path.join(dataset, subset, item_id + "_seg.png")).convert("RGB")).astype(np.int64)
    return (rgb[..., 0] // 10) * 256 + rgb[..., 1]


def check_sample(dataset, subset, record, photo, class_map, names, amodal, selection=False):
    """The problems of one sample, as sentences naming the item. With a
    label `selection`, objects of classes not selected may be left out and
    labels may name merged classes."""
    item_id = record["id"]
    where = f"{subset}/{item_id}"
    problems = []
    photo_path = source_photo(dataset, subset, item_id)
    if photo is not None:
        with open(photo_path, "rb") as source:
            if photo != source.read():
                problems.append(f"{where}: photo bytes differ from {photo_path}")
        decoded = np.array(Image.open(io.BytesIO(photo)))
        if not np.array_equal(decoded, np.array(Image.open(photo_path))):
            problems.append(f"{where}: photo pixels differ")
    json_path = os.path.join(dataset, subset, item_id + ".json")
    annotation = load_annotation_json(json_path)
    folder = os.path.dirname(json_path)
    objects = {obj["id"]: obj for obj in record["objects"]}
    if len(objects) != len(record["objects"]):
        problems.append(f"{where}: an object id appears twice")
    labels_of_class = {}
    for source in annotation["object"]:
        mask = source_mask(os.path.join(folder, source["instance_mask"]), amodal)
        written = objects.pop(source["id"], None)
        if not mask.any():
            if written is not None:
                problems.append(f"{where}: object {source['id']} has no pixels but is written")
            continue
        if written is None and selection:
            continue
        if written is None:
            problems.append(f"{where}: object {source['id']} is missing")
            continue
        level = source["parts"]["part_level"]
        parent = source["parts"]["ispartof"]
        parent = parent if isinstance(parent, int) else None
        if (written["class_index"], written["part_level"], written["parent"]) != (source["name_ndx"], level, parent):
            problems.append(f"{where}: object {source['id']} class, level or parent differ")
        name = names[written["label"]]
        if not selection and name not in (source["name"], first_synonym(source["name"])):
            problems.append(f"{where}: object {source['id']} is labelled {name!r}, not {source['name']!r}")
        labels_of_class[source["name_ndx"]] = written["label"] + 1
        shape = written["amodal"] if amodal else written
        rle = {"size": shape["segmentation"]["size"], "counts": shape["segmentation"]["counts"].encode()}
        decoded = mask_utils.decode(rle).astype(bool)
        if decoded.shape != mask.shape or not np.array_equal(decoded, mask):
            problems.append(f"{where}: object {source['id']} mask differs from the source")
            continue
        ys, xs = np.nonzero(mask)
        box = [int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)]
        if shape["area"] != int(mask.sum()) or list(shape["bbox"]) != box:
            problems.append(f"{where}: object {source['id']} area or bbox differ")
    if objects:
        problems.append(f"{where}: objects {sorted(objects)} are not in the source")
    classes = source_class_map(dataset, subset, item_id)
    expected = np.zeros(classes.shape, dtype=np.int64)
    for class_index, value in labels_of_class.items():
        expected[classes == class_index] = value
    if class_map.shape != classes.shape or not np.array_equal(class_map.astype(np.int64), expected):
        problems.append(f"{where}: class map differs from the source's")
    if (record["width"], record["height"]) != (classes.shape[1], classes.shape[0]):
        problems.append(f"{where}: width or height differ")
    return problems


def export_arguments():
    """The command line both verifiers take: the source dataset, the export and how it was made."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--amodal", action="store_true")
    parser.add_argument("--no-photos", action="store_true", help="the export was made with --media none")
    parser.add_argument("--shard-size", type=int)
    parser.add_argument("--selection", action="store_true", help="the export selected labels (--labels)")
    return parser.parse_args()
