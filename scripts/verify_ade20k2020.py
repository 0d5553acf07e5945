#!/usr/bin/env python3
"""Checks an ade20k2020 export (the ADE20K 2020 layout, maybe cut) against its source.

With NumPy and Pillow only, for every item of the output:

- the item exists in the source, in the same subset, and every source item of a
  written subset is written; the photo, when written, has the source's bytes;
- the JSON is UTF-8; `filename`, `folder`, `imsize`, `source` and `scene` equal
  the source's; its objects are the source's in the same order, minus those a
  cut removed, with every field equal once the source's spellings are read
  (`crop` "1" = 1, a bare attribute string = a one-element list, a bare
  `hasparts` integer = a list, `occluded` [] = unknown, `depth_ordering_rank`
  [] = unknown);
- every object keeps the source's id; `ispartof` is the source's, `hasparts` the
  source's minus the parts not written, and `instance_mask` is
  `<stem>/instance_<NNN>_<stem>.png` of that id;
- a cut is one: a written object's parent is written; a removed object whose
  parent is written (or that has none) is of a class no written object has;
  with --no-parts, no part is written;
- every instance mask is 8-bit grey of 0/128/255, pixel-equal to the source's
  (whose binary 0/1 masks read as 0/255);
- every class map (`_seg.png`, and `_parts_N.png` for every level of the source
  unless --no-parts) is RGB 8-bit with R = class // 256 * 10, G = class % 256; a
  level that lost no object equals the source's class and instance code (B) on
  every pixel; in a level that lost objects, a pixel keeps them where its class
  is that of a written object of the level and no removed object of the level
  is seen (255), and is 0, 0, 0 elsewhere;
- `dataset_meta.json` has the source's label order.

If Datumaro is installed, the source and the output are also imported with its
`ade20k2020` importer: the same item ids per written subset; per item, one
instance `Mask` and `Polygon` per written object (the source's counts where the
item lost nothing), instance masks as Datumaro decodes them equal to the
source's, class masks (`ExtractedMask`) equal to the expected class maps, and
label names equal to the source's (Datumaro reads every JSON as Latin-1, so
UTF-8 names are compared after undoing that).

Usage:
    python3 scripts/verify_ade20k2020.py --dataset tests/assets/ade20k2020 --out out/ade20k2020 [--no-parts]

`--dataset` is the folder whose children are the subsets. Exits 1 on any mismatch.
"""

import argparse
import json
import os
import re
import sys

import numpy as np
from PIL import Image

IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"}
MASK_STEM = re.compile(r".+_seg|.+_parts_\d+|instance_.+")
META_FILE = "dataset_meta.json"


def read_json(path, strict_utf8=False):
    raw = open(path, "rb").read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        if strict_utf8:
            raise
        text = raw.decode("cp1252", errors="replace")
    return json.loads(text)


def items_of(root):
    """{(subset, item id): (folder, stem, photo file name or None)}: every `<stem>.json` of every subset."""
    items = {}
    for subset in sorted(os.listdir(root)):
        base = os.path.join(root, subset)
        if not os.path.isdir(base):
            continue
        for folder, _dirs, files in os.walk(base):
            photos = {
                os.path.splitext(name)[0]: name
                for name in files
                if os.path.splitext(name)[1].lower() in IMAGE_EXTENSIONS
                and not MASK_STEM.fullmatch(os.path.splitext(name)[0])
            }
            for name in files:
                stem, ext = os.path.splitext(name)
                if ext.lower() == ".json":
                    item_id = os.path.relpath(os.path.join(folder, stem), base).replace(os.sep, "/")
                    items[(subset, item_id)] = (folder, stem, photos.get(stem))
    return items


def as_list(value):
    if value is None or value == "" or value == []:
        return []
    return value if isinstance(value, list) else [value]


def as_uint(value):
    """A number, or None for absent, [] and ""."""
    if value is None or value == [] or value == "":
        return None
    if isinstance(value, list):
        return int(value[0])
    return int(value)


def occlusion(value):
    if value is None or value == [] or value == "":
        return None
    return value.lower()


def crop(value):
    if value is None or value == []:
        return False
    if isinstance(value, bool):
        return value
    return str(value).strip() == "1" or value == 1


def polygon(obj):
    points = obj.get("polygon") or {}
    if not isinstance(points, dict):
        return [], []
    return [float(v) for v in as_list(points.get("x"))], [float(v) for v in as_list(points.get("y"))]


def content(obj):
    """The fields of an object that a cut never changes, in one comparable form."""
    parts = obj.get("parts") or {}
    return (
        obj["name"],
        int(obj["name_ndx"]),
        as_list(obj.get("hypernym")),
        obj.get("raw_name", ""),
        as_list(obj.get("attributes")),
        as_uint(obj.get("depth_ordering_rank")),
        occlusion(obj.get("occluded")),
        crop(obj.get("crop")),
        as_uint(parts.get("part_level")) or 0,
        polygon(obj),
        obj.get("saved_date", ""),
    )


def parent_of(obj):
    return as_uint((obj.get("parts") or {}).get("ispartof"))


def children_of(obj):
    return [int(c) for c in as_list((obj.get("parts") or {}).get("hasparts"))]


def level_of(obj):
    return as_uint((obj.get("parts") or {}).get("part_level")) or 0


def instance_mask(path):
    values = np.array(Image.open(path).convert("L"))
    if values.max(initial=0) <= 1:
        values = values * 255
    return values.astype(np.uint8)


def class_map(path):
    rgb = np.array(Image.open(path).convert("RGB")).astype(np.int64)
    return (rgb[:, :, 0] // 10) * 256 + rgb[:, :, 1], rgb[:, :, 2]


def map_name(stem, level):
    return f"{stem}_seg.png" if level == 0 else f"{stem}_parts_{level}.png"


def match_objects(source_objects, written_objects):
    """Position in the source of each written object: an in-order subsequence of equal content."""
    positions, start = [], 0
    for obj in written_objects:
        wanted = content(obj)
        while start < len(source_objects) and content(source_objects[start]) != wanted:
            start += 1
        if start == len(source_objects):
            return None
        positions.append(start)
        start += 1
    return positions


class Checker:
    def __init__(self, dataset, out, no_parts):
        self.dataset, self.out, self.no_parts = dataset, out, no_parts
        self.failures = []
        self.counts = {"items": 0, "objects": 0, "instance masks": 0, "class maps": 0, "pixels": 0, "cut items": 0}
        # Per item: the source position of each written object and the expected class maps.
        self.expected = {}

    def fail(self, message):
        self.failures.append(message)

    def run(self):
        sources, outputs = items_of(self.dataset), items_of(self.out)
        subsets = {subset for subset, _ in outputs}
        if not outputs:
            self.fail("the output holds no item")
        for key in sorted(set(outputs) - set(sources)):
            self.fail(f"{key[0]}/{key[1]}: not an item of the source")
        for key in sorted(k for k in sources if k[0] in subsets and k not in outputs):
            self.fail(f"{key[0]}/{key[1]}: source item not written")
        written_classes = set()
        removed_roots = []
        for key in sorted(set(outputs) & set(sources)):
            removed = self.check_item(key, sources[key], outputs[key], written_classes)
            removed_roots.extend(removed)
        for key, obj in removed_roots:
            if int(obj["name_ndx"]) in written_classes:
                self.fail(
                    f"{key[0]}/{key[1]}: object {obj['id']} ({obj['name']}) was removed, "
                    "but its class is written elsewhere and its parent is written"
                )
        self.check_meta()
        return sources, outputs

    def check_item(self, key, source_files, out_files, written_classes):
        subset, item_id = key
        name = f"{subset}/{item_id}"
        folder, stem, photo = source_files
        out_folder, _out_stem, out_photo = out_files
        self.counts["items"] += 1
        source = read_json(os.path.join(folder, stem + ".json"))["annotation"]
        try:
            written = read_json(os.path.join(out_folder, stem + ".json"), strict_utf8=True)["annotation"]
        except UnicodeDecodeError:
            self.fail(f"{name}: the JSON is not UTF-8")
            return []
        if photo and out_photo:
            if open(os.path.join(folder, photo), "rb").read() != open(os.path.join(out_folder, out_photo), "rb").read():
                self.fail(f"{name}: the photo differs from the source's")
        if written.get("filename") != photo:
            self.fail(f"{name}: filename {written.get('filename')!r}")
        if written.get("folder") != source.get("folder", ""):
            self.fail(f"{name}: folder {written.get('folder')!r}")
        if written.get("imsize", [])[:2] != source.get("imsize", [])[:2] or len(written.get("imsize", [])) != 3:
            self.fail(f"{name}: imsize {written.get('imsize')} for {source.get('imsize')}")
        source_info = source.get("source") or {}
        for field in ("folder", "filename", "origin"):
            if written.get("source", {}).get(field) != source_info.get(field, ""):
                self.fail(f"{name}: source.{field} differs")
        if as_list(written.get("scene")) != as_list(source.get("scene")) or not isinstance(written.get("scene"), list):
            self.fail(f"{name}: scene differs")
        objects, source_objects = written["object"], source["object"]
        positions = match_objects(source_objects, objects)
        if positions is None:
            self.fail(f"{name}: the objects are not those of the source, in order")
            return []
        self.counts["objects"] += len(objects)
        lost = len(objects) < len(source_objects)
        self.counts["cut items"] += lost
        new_id = {int(source_objects[p]["id"]): int(source_objects[p]["id"]) for p in positions}
        for obj, position in zip(objects, positions):
            source_obj = source_objects[position]
            want_id = new_id[int(source_obj["id"])]
            self.check_object(name, folder, out_folder, stem, obj, source_obj, want_id, new_id)
            written_classes.add(int(obj["name_ndx"]))
        removed_roots = []
        kept_positions = set(positions)
        for position, obj in enumerate(source_objects):
            if position in kept_positions:
                continue
            parent = parent_of(obj)
            if self.no_parts and level_of(obj) > 0:
                continue
            if parent is None or parent in new_id:
                removed_roots.append((key, obj))
        if self.no_parts and any(level_of(obj) > 0 for obj in objects):
            self.fail(f"{name}: parts written despite --no-parts")
        maps = self.check_class_maps(name, folder, out_folder, stem, source_objects, positions, objects)
        self.expected[key] = {"positions": positions, "maps": maps}
        return removed_roots

    def check_object(self, name, folder, out_folder, stem, obj, source_obj, want_id, new_id):
        label = f"{name}: object {obj.get('id')} (source {source_obj['id']})"
        if obj.get("id") != want_id:
            self.fail(f"{label}: id {obj.get('id')}, {want_id} expected")
        parts = obj.get("parts") or {}
        parent = parent_of(source_obj)
        want_parent = [] if parent is None else new_id.get(parent)
        if want_parent is None:
            self.fail(f"{label}: written, but its parent {parent} is not")
        if parts.get("ispartof") != want_parent:
            self.fail(f"{label}: ispartof {parts.get('ispartof')}, {want_parent} expected")
        want_children = [new_id[c] for c in children_of(source_obj) if c in new_id]
        if parts.get("hasparts") != want_children:
            self.fail(f"{label}: hasparts {parts.get('hasparts')}, {want_children} expected")
        for field, kind in (("attributes", list), ("crop", int)):
            if not isinstance(obj.get(field), kind):
                self.fail(f"{label}: {field} is {obj.get(field)!r}")
        want_mask = f"{stem}/instance_{want_id:03d}_{stem}.png"
        if obj.get("instance_mask") != want_mask:
            self.fail(f"{label}: instance_mask {obj.get('instance_mask')!r}, {want_mask!r} expected")
            return
        path = os.path.join(out_folder, want_mask)
        if not os.path.isfile(path):
            self.fail(f"{label}: {want_mask} missing")
            return
        image = Image.open(path)
        if image.mode != "L":
            self.fail(f"{label}: instance mask mode {image.mode}, L (8-bit grey) expected")
        mask = np.array(image)
        if set(np.unique(mask).tolist()) - {0, 128, 255}:
            self.fail(f"{label}: instance mask values {sorted(np.unique(mask).tolist())}")
        source_mask = instance_mask(os.path.join(folder, source_obj["instance_mask"]))
        if mask.shape != source_mask.shape or not np.array_equal(mask, source_mask):
            self.fail(f"{label}: instance mask differs from the source's")
        self.counts["instance masks"] += 1

    def check_class_maps(self, name, folder, out_folder, stem, source_objects, positions, objects):
        levels = 0
        while os.path.isfile(os.path.join(folder, map_name(stem, levels + 1))):
            levels += 1
        written_levels = 0
        while os.path.isfile(os.path.join(out_folder, map_name(stem, written_levels + 1))):
            written_levels += 1
        want_levels = 0 if self.no_parts else levels
        if written_levels != want_levels:
            self.fail(f"{name}: {written_levels} part-level maps written, {want_levels} expected")
        kept = set(positions)
        maps = {}
        for level in range(min(written_levels, want_levels) + 1):
            classes, instances = class_map(os.path.join(folder, map_name(stem, level)))
            out_path = os.path.join(out_folder, map_name(stem, level))
            image = Image.open(out_path)
            if image.mode != "RGB":
                self.fail(f"{name}: {map_name(stem, level)} mode {image.mode}, RGB expected")
            rgb = np.array(image.convert("RGB")).astype(np.int64)
            got_classes = (rgb[:, :, 0] // 10) * 256 + rgb[:, :, 1]
            if not np.array_equal(rgb[:, :, 0], got_classes // 256 * 10):
                self.fail(f"{name}: {map_name(stem, level)}: R is not class // 256 * 10")
            removed = [o for p, o in enumerate(source_objects) if p not in kept and level_of(o) == level]
            if removed:
                written_classes = [int(o["name_ndx"]) for o in objects if level_of(o) == level]
                keep = np.isin(classes, written_classes)
                for obj in removed:
                    keep &= instance_mask(os.path.join(folder, obj["instance_mask"])) != 255
                classes, instances = np.where(keep, classes, 0), np.where(keep, instances, 0)
            if got_classes.shape != classes.shape:
                self.fail(f"{name}: {map_name(stem, level)} size differs")
                continue
            differ = int(np.sum((got_classes != classes) | (rgb[:, :, 2] != instances)))
            if differ:
                self.fail(f"{name}: {map_name(stem, level)}: {differ} pixels differ from the expected map")
            maps[level] = classes
            self.counts["class maps"] += 1
            self.counts["pixels"] += classes.size
        return maps

    def check_meta(self):
        source_meta = os.path.join(self.dataset, META_FILE)
        out_meta = os.path.join(self.out, META_FILE)
        if os.path.isfile(source_meta) != os.path.isfile(out_meta):
            self.fail(f"{META_FILE}: present in only one of the source and the output")
        elif os.path.isfile(source_meta):
            order = lambda path: [v for _k, v in sorted((int(k), v) for k, v in read_json(path)["label_map"].items())]
            if order(source_meta) != order(out_meta):
                self.fail(f"{META_FILE}: the label order differs from the source's")


def undo_latin1(name):
    """Datumaro decodes every JSON as Latin-1: the text of a UTF-8 file, as it was."""
    try:
        return name.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return name


def check_with_datumaro(checker, sources, outputs):
    try:
        from datumaro.components.annotation import AnnotationType, ExtractedMask, Mask, Polygon
        from datumaro.components.dataset import Dataset
    except ImportError:
        print("verify_ade20k2020: Datumaro is not installed; skipped the import with it")
        return
    if any(not read_json(os.path.join(f, s + ".json"))["annotation"]["object"] for f, s, _p in outputs.values()):
        print("verify_ade20k2020: an item lost every object; Datumaro's ade20k2020 reader fails on such items, skipped it")
        return
    if any(photo is None for _f, _s, photo in outputs.values()):
        print("verify_ade20k2020: Datumaro lists items by their photos, and the output has none (--media none); skipped it")
        return
    imported = {}
    for side, path in (("source", checker.dataset), ("output", checker.out)):
        dataset = Dataset.import_from(path, "ade20k2020")
        labels = dataset.categories()[AnnotationType.label]
        imported[side] = {(item.subset, item.id.replace(os.sep, "/")): (item, labels) for item in dataset}
    subsets = {s for s, _i in outputs}
    source_ids = {k for k in imported["source"] if k[0] in subsets}
    if set(imported["output"]) != source_ids:
        checker.fail(f"datumaro: {len(imported['output'])} items, {len(source_ids)} expected")
    compared = {"items": 0, "masks": 0, "class masks": 0}
    for key, (item, labels) in sorted(imported["output"].items()):
        if key not in imported["source"] or key not in checker.expected:
            continue
        source_item, source_labels = imported["source"][key]
        name = f"datumaro: {key[0]}/{key[1]}"
        written = read_json(os.path.join(outputs[key][0], outputs[key][1] + ".json"))["annotation"]["object"]
        source_objects = read_json(os.path.join(sources[key][0], sources[key][1] + ".json"))["annotation"]["object"]
        positions = checker.expected[key]["positions"]

        def instances(it, kind):
            return {a.id: a for a in it.annotations if type(a) is kind}

        masks, source_masks = instances(item, Mask), instances(source_item, Mask)
        polygons, source_polygons = instances(item, Polygon), instances(source_item, Polygon)
        if len(masks) != len(written):
            checker.fail(f"{name}: {len(masks)} instance masks, {len(written)} objects")
        if len(written) == len(source_objects) and (len(masks), len(polygons)) != (len(source_masks), len(source_polygons)):
            checker.fail(f"{name}: {len(masks)} masks, {len(polygons)} polygons; the source gives "
                         f"{len(source_masks)}, {len(source_polygons)}")
        for obj, position in zip(written, positions):
            source_id = source_objects[position]["id"]
            mask, source_mask = masks.get(obj["id"]), source_masks.get(source_id)
            if mask is None or source_mask is None:
                checker.fail(f"{name}: no instance mask for object {obj['id']}")
                continue
            if not np.array_equal(mask.image, source_mask.image):
                checker.fail(f"{name}: object {obj['id']}: Datumaro's masks of the output and the source differ")
            if undo_latin1(labels[mask.label].name) != undo_latin1(source_labels[source_mask.label].name):
                checker.fail(f"{name}: object {obj['id']}: label {labels[mask.label].name!r}")
            if (obj["id"] in polygons) != (source_id in source_polygons):
                checker.fail(f"{name}: object {obj['id']}: polygon present in only one")
            compared["masks"] += 1
        for ann in item.annotations:
            if type(ann) is ExtractedMask:
                expected_map = checker.expected[key]["maps"].get(ann.z_order)
                if expected_map is None or not np.array_equal(ann.image, expected_map == ann.id):
                    checker.fail(f"{name}: class mask {ann.id} of level {ann.z_order} differs from the expected map")
                compared["class masks"] += 1
        compared["items"] += 1
    print(
        f"verify_ade20k2020: Datumaro imported {compared['items']} items; {compared['masks']} instance masks "
        f"equal the source's as it decodes them, {compared['class masks']} class masks equal the expected maps"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True, help="folder whose children are the subsets")
    parser.add_argument("--out", required=True, help="the ade20k2020 output folder")
    parser.add_argument("--no-parts", action="store_true", help="the export used --parts exclude")
    args = parser.parse_args()
    checker = Checker(args.dataset, args.out, args.no_parts)
    sources, outputs = checker.run()
    if not checker.failures:
        check_with_datumaro(checker, sources, outputs)
    for failure in checker.failures:
        print("MISMATCH", failure)
    c = checker.counts
    print(
        f"verify_ade20k2020: {c['items']} items ({c['cut items']} cut), {c['objects']} objects, "
        f"{c['instance masks']} instance masks, {c['class maps']} class maps ({c['pixels']} pixels) "
        f"checked against the source; {len(checker.failures)} mismatches"
    )
    if c["items"] == 0:
        print("verify_ade20k2020: nothing was checked")
        return 1
    return 1 if checker.failures else 0


if __name__ == "__main__":
    sys.exit(main())
