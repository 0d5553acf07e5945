#!/usr/bin/env python3
"""Checks an ade20k2020 export (the ADE20K 2020 layout, maybe cut) against its source.

With NumPy and Pillow only, for every item of the output:

- the item exists in the source, in the same subset, and every source item of a
  written subset is written; the photo, when written, has the source's bytes;
- an item that lost no object is its source's files byte for byte: the JSON,
  every instance mask and every class map;
- the JSON of a cut item is in the source's encoding (UTF-8 or not), on one
  line when the source's is; every field but `object` is the source's, and its
  objects are the source's in the same order, minus those the cut removed, each
  with the source's fields in the source's order and spelling (numbers compared
  as written: `1` is not `1.0`, `"0"` is not `0`), its id, `ispartof` and
  `instance_mask` included; only `parts.hasparts` loses the parts not written
  (a bare id whose part goes becomes `[]`);
- a cut is one: a written object's parent is written; a removed object whose
  parent is written (or that has none) is of a class no written object has
  (with --filtered, the item filter removes objects whatever their class);
  with --no-parts, no part is written;
- every instance mask written is the source's file, byte for byte;
- every class map (`_seg.png`, and `_parts_N.png` for every level of the source
  unless --no-parts) of a level that lost no object is the source's file, byte
  for byte; one of a level that lost objects is RGB 8-bit with R = class // 256
  * 10, G = class % 256, and a pixel keeps its class and instance code (B) where its class
  is that of a written object of the level (with --filtered, any pixel) and no
  removed object of the level is seen (255), and is 0, 0, 0 elsewhere;
- `dataset_meta.json` has the source's label order.

If Datumaro is installed, the source and the output are also imported with its
`ade20k2020` importer: the same item ids per written subset; per item, one
instance `Mask` and `Polygon` per written object (the source's counts where the
item lost nothing), instance masks as Datumaro decodes them equal to the
source's, class masks (`ExtractedMask`) equal to the expected class maps, and
label names equal to the source's (Datumaro reads every JSON as Latin-1, so
UTF-8 names are compared after undoing that).

Usage:
    python3 scripts/verify_ade20k2020.py --dataset tests/assets/ade20k2020 --out out/ade20k2020 [--no-parts] [--filtered]

`--dataset` is the folder whose children are the subsets (for the release,
`ADE20K_2021_17_01/images/ADE`). Exits 1 on any mismatch.
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


def read_json(path):
    return json.loads(read_text(path)[0])


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


def read_text(path, encoding=None):
    """The text of a JSON file and its encoding: UTF-8 (a byte-order mark skipped), else cp1252 as the tool reads it.
    With `encoding`, that one (UTF-8 strictly)."""
    raw = open(path, "rb").read()
    if encoding in (None, "utf-8"):
        try:
            return raw.decode("utf-8-sig"), "utf-8"
        except UnicodeDecodeError:
            if encoding:
                raise
    return raw.decode("cp1252", errors="replace"), "cp1252"


def as_written(text):
    """JSON with every number kept as spelled: ("int", "3"), ("float", "3.0")."""
    return json.loads(text, parse_int=lambda s: ("int", s), parse_float=lambda s: ("float", s))


def spelled_uint(value):
    """The whole number of a spelled JSON number (see `as_written`), else None."""
    if isinstance(value, tuple):
        number = float(value[1])
        return int(number) if number.is_integer() else None
    return None


def cut_object(obj, stem, written_ids):
    """A source object (spelled, see `as_written`) as a cut writes it: its `hasparts` without the parts
    not written, its `instance_mask` the name the mask is written under; every other field as it is."""
    obj = dict(obj)
    parts = obj.get("parts")
    if isinstance(parts, dict) and "hasparts" in parts:
        parts = dict(parts)
        hasparts = parts["hasparts"]
        if isinstance(hasparts, list):
            parts["hasparts"] = [child for child in hasparts if spelled_uint(child) in written_ids]
        elif spelled_uint(hasparts) is not None and spelled_uint(hasparts) not in written_ids:
            parts["hasparts"] = []
        obj["parts"] = parts
    if "instance_mask" in obj:
        obj["instance_mask"] = mask_name(stem, spelled_uint(obj["id"]))
    return obj


def mask_name(stem, object_id):
    return f"{stem}/instance_{object_id:03d}_{stem}.png"


def same_bytes(path, other):
    with open(path, "rb") as a, open(other, "rb") as b:
        return a.read() == b.read()


def as_uint(value):
    """A number, or None for absent, [] and ""."""
    if value is None or value == [] or value == "":
        return None
    if isinstance(value, list):
        return int(value[0])
    return int(value)


def parent_of(obj):
    return as_uint((obj.get("parts") or {}).get("ispartof"))


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


class Checker:
    def __init__(self, dataset, out, no_parts, filtered):
        self.dataset, self.out, self.no_parts, self.filtered = dataset, out, no_parts, filtered
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
            if not self.filtered:
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
        if photo and out_photo and not same_bytes(os.path.join(folder, photo), os.path.join(out_folder, out_photo)):
            self.fail(f"{name}: the photo differs from the source's")
        source_path, out_path = os.path.join(folder, stem + ".json"), os.path.join(out_folder, stem + ".json")
        source_objects = read_json(source_path)["annotation"]["object"]
        objects = read_json(out_path)["annotation"]["object"]
        source_ids = [int(obj["id"]) for obj in source_objects]
        ids = [int(obj["id"]) for obj in objects]
        written_ids = set(ids)
        if ids != [i for i in source_ids if i in written_ids] or not written_ids <= set(source_ids):
            self.fail(f"{name}: the objects {ids} are not the source's {source_ids}, in order, under their ids")
            return []
        positions = [source_ids.index(i) for i in ids]
        self.counts["objects"] += len(objects)
        lost = len(objects) < len(source_objects)
        self.counts["cut items"] += lost
        masks_named = all(obj["instance_mask"] == mask_name(stem, int(obj["id"])) for obj in source_objects)
        if lost or not masks_named:
            self.check_cut_json(name, stem, source_path, out_path, written_ids)
        elif not same_bytes(source_path, out_path):
            self.fail(f"{name}: nothing was cut, but the JSON is not the source's bytes")
        for obj, position in zip(objects, positions):
            self.check_object(name, folder, out_folder, stem, obj, source_objects[position], written_ids)
            written_classes.add(int(obj["name_ndx"]))
        removed_roots = []
        kept_positions = set(positions)
        for position, obj in enumerate(source_objects):
            if position in kept_positions:
                continue
            parent = parent_of(obj)
            if self.no_parts and level_of(obj) > 0:
                continue
            if parent is None or parent in written_ids:
                removed_roots.append((key, obj))
        if self.no_parts and any(level_of(obj) > 0 for obj in objects):
            self.fail(f"{name}: parts written despite --no-parts")
        maps = self.check_class_maps(name, folder, out_folder, stem, source_objects, positions, objects)
        self.expected[key] = {"positions": positions, "maps": maps}
        return removed_roots

    def check_cut_json(self, name, stem, source_path, out_path, written_ids):
        """The JSON of a cut item: the source's, in its encoding, spelling and field order, minus the cut."""
        source_text, encoding = read_text(source_path)
        try:
            out_text, _ = read_text(out_path, encoding)
        except UnicodeDecodeError:
            self.fail(f"{name}: the JSON is not in the source's encoding ({encoding})")
            return
        if "\n" not in source_text.strip() and "\n" in out_text.strip():
            self.fail(f"{name}: the source's JSON is one line, the written one is not")
        source, written = as_written(source_text)["annotation"], as_written(out_text)["annotation"]
        if list(written) != list(source):
            self.fail(f"{name}: annotation fields {list(written)}, {list(source)} expected")
        for field in source:
            if field != "object" and written.get(field) != source[field]:
                self.fail(f"{name}: annotation.{field} is not the source's")
        expected = [
            cut_object(obj, stem, written_ids)
            for obj in source.get("object", [])
            if spelled_uint(obj.get("id")) in written_ids
        ]
        for want, got in zip(expected, written.get("object", [])):
            if json.dumps(got) != json.dumps(want):
                self.fail(f"{name}: object {spelled_uint(want.get('id'))} is not the source's minus the cut: "
                          f"{json.dumps(got)[:300]} for {json.dumps(want)[:300]}")

    def check_object(self, name, folder, out_folder, stem, obj, source_obj, written_ids):
        label = f"{name}: object {obj.get('id')}"
        parent = parent_of(source_obj)
        if parent is not None and parent not in written_ids:
            self.fail(f"{label}: written, but its parent {parent} is not")
        want_mask = mask_name(stem, int(obj["id"]))
        if obj.get("instance_mask") != want_mask:
            self.fail(f"{label}: instance_mask {obj.get('instance_mask')!r}, {want_mask!r} expected")
            return
        path = os.path.join(out_folder, want_mask)
        if not os.path.isfile(path):
            self.fail(f"{label}: {want_mask} missing")
            return
        if not same_bytes(os.path.join(folder, source_obj["instance_mask"]), path):
            self.fail(f"{label}: the instance mask is not the source's file")
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
            rgb = np.array(image.convert("RGB")).astype(np.int64)
            got_classes = (rgb[:, :, 0] // 10) * 256 + rgb[:, :, 1]
            removed = [o for p, o in enumerate(source_objects) if p not in kept and level_of(o) == level]
            if not removed and not same_bytes(os.path.join(folder, map_name(stem, level)), out_path):
                self.fail(f"{name}: {map_name(stem, level)} lost no object, but is not the source's file")
            if removed:
                # Encoded by the tool.
                if image.mode != "RGB":
                    self.fail(f"{name}: {map_name(stem, level)} mode {image.mode}, RGB expected")
                if not np.array_equal(rgb[:, :, 0], got_classes // 256 * 10):
                    self.fail(f"{name}: {map_name(stem, level)}: R is not class // 256 * 10")
                written_classes = [int(o["name_ndx"]) for o in objects if level_of(o) == level]
                keep = np.ones(classes.shape, bool) if self.filtered else np.isin(classes, written_classes)
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
    parser.add_argument(
        "--filtered",
        action="store_true",
        help="the export used an item filter (--min-area, --include-labels, --exclude-labels), no label selection",
    )
    args = parser.parse_args()
    checker = Checker(args.dataset, args.out, args.no_parts, args.filtered)
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
