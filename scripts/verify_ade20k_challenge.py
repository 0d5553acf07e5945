#!/usr/bin/env python3
"""Checks an `ade20k_challenge` output against its source, independently.

- `annotations/`: re-derived from the source `_seg.png` (class = R/10*256+G)
  scaled by MATLAB's `imresize(..., 'nearest')` rule and mapped by the
  SceneParsing table (`--official-map` mapFromADE.txt, else the project's
  table), as `convertFromADE.m` does;
- `annotations_instance/`: re-derived from the source visible instance masks
  of the level-0 objects of the 100 instance classes, scaled the same way,
  painted in annotation order and kept where the semantic map has their class;
- `annotations_detectron2/`: semantic - 1 in uint8, as prepare_ade20k_sem_seg.py;
- `ade20k_instance_*.json`: rebuilt from the two maps by prepare_ade20k_ins_seg.py's
  rules, compared field by field; pycocotools decodes every mask;
- `ade20k_panoptic_*.json` and PNGs: segments rebuilt by prepare_ade20k_pan_seg.py's
  rules (stuff by class, then instances by id), compared field by field
  (colours of things: the class colour or one within 30 per channel, unused);
  every PNG decodes to exactly the segments its JSON lists;
- image sizes: scaled by the converter's rule (squares kept, unless an explicit
  --max-short-side N scaled them too), and equal to the instance benchmark's
  image list (`--img-cat-ids`) for every image it lists;
- `objectInfo150.csv` and `sceneCategories.txt`: counted again, and compared
  with the challenge's own files (`--sceneparsing`) where they list the image;
- `data.yaml`: parsed as YAML; the output's absolute path, `train`/`val` photos,
  and `masks_dir`, which leads from every photo (its `images` part replaced, as
  Ultralytics' semantic loader does) to its detectron2 map; 150 names, the
  first of each `objectInfo150.csv` name.
"""

import argparse
import csv
import glob
import json
import os
import sys

import numpy as np
import yaml
from PIL import Image
from pycocotools import mask as mask_util

from ade20k_source import load_annotation_json, source_items, source_mask

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "crates", "ade20k-export", "data")


def table(name):
    rows = [line.rstrip("\n").split("\t") for line in open(os.path.join(DATA, name), encoding="utf-8")
            if not line.startswith("#") and line.strip()]
    return rows[1:]


def matlab_nearest(n_in, n_out):
    """0-based input index of each output pixel, as MATLAB's imresize 'nearest'."""
    scale = n_out / n_in
    out = []
    for x in range(1, n_out + 1):
        u = x / scale + 0.5 * (1 - 1 / scale)
        left = np.floor(u - 0.5)
        for j in (left, left + 1, left + 2):
            if -0.5 <= u - j < 0.5:
                out.append(int(min(max(j, 1), n_in)) - 1)
                break
    return np.array(out, dtype=np.int64)


def scaled_size(w, h, limit, keep_squares):
    """convertFromADE.m's size: it scales only when one side is strictly the
    shorter, so squares keep theirs; --max-short-side N scales squares too."""
    if min(w, h) <= limit or (w == h and keep_squares):
        return w, h
    if w <= h:
        return limit, int(np.floor(h / w * limit + 0.5))
    return int(np.floor(w / h * limit + 0.5)), limit


def check(condition, message):
    if not condition:
        print("FAIL:", message)
        sys.exit(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True, help="the source (a folder of subsets)")
    parser.add_argument("--out", required=True, help="the ade20k_challenge output")
    parser.add_argument("--max-short-side", default="benchmark",
                        help="as given to the conversion: N, off, or benchmark (512, squares kept)")
    parser.add_argument("--official-map", help="mapFromADE.txt of the SceneParsing benchmark")
    parser.add_argument("--img-cat-ids", help="ade20k_instance_imgCatIds.json of the instance benchmark")
    parser.add_argument("--catid-mapping", help="ade20k_instance_catid_mapping.txt")
    parser.add_argument("--sceneparsing", help="folder with the challenge's objectInfo150.csv and sceneCategories.txt")
    args = parser.parse_args()

    # The class tables.
    semantic_of = {}
    if args.official_map:
        for line in open(args.official_map):
            if line.strip():
                value, full = line.split()
                semantic_of[int(full)] = int(value)
    else:
        for row in table("sceneparsing150.tsv"):
            for full in row[4].split(","):
                semantic_of[int(full)] = int(row[0])
    instance_of, instance_semantic = {}, {}
    if args.catid_mapping:
        for line in open(args.catid_mapping).read().splitlines()[1:]:
            ins, sem, full = line.split()
            instance_of[int(full)] = int(ins)
            instance_semantic[int(ins)] = int(sem)
    else:
        for row in table("instance100.tsv"):
            for full in row[3].split(","):
                instance_of[int(full)] = int(row[0])
            instance_semantic[int(row[0])] = int(row[2])
    instance_names = {int(row[0]): row[1] for row in table("instance100.tsv")}
    if args.img_cat_ids:
        official = json.load(open(args.img_cat_ids))
        instance_names = {c["id"]: c["name"] for c in official["categories"]}
        official_sizes = {i["file_name"]: (i["width"], i["height"]) for i in official["images"]}
    else:
        official_sizes = {}
    challenge = table("ade20k_challenge150.tsv")
    m2f_names = [row[3] for row in challenge]
    m2f_colors = [tuple(int(c) for c in row[4].split(",")) for row in challenge]
    things = {sem - 1 for sem in instance_semantic.values()}
    check(len(things) == 100, "100 thing classes")
    stuff_colors = {m2f_colors[c] for c in range(150) if c not in things}

    keep_squares = args.max_short_side == "benchmark"
    limit = {"benchmark": 512, "off": 0}.get(args.max_short_side) or int(args.max_short_side)
    by_subset = {}
    for subset, item_id, json_path in source_items(args.dataset):
        by_subset.setdefault(subset, []).append((os.path.basename(item_id), item_id, json_path))
    sizes_checked = 0
    scenes_written = {}
    for line in open(os.path.join(args.out, "sceneCategories.txt")):
        name, scene = line.split()
        scenes_written[name] = scene
    pixel_totals = np.zeros(151, dtype=np.int64)
    image_counts = {"training": np.zeros(151, dtype=np.int64), "validation": np.zeros(151, dtype=np.int64)}
    instances_checked = 0
    for subset, items in by_subset.items():
        split = {"training": "train", "validation": "val"}.get(subset, subset)
        items.sort()
        images, ins_annotations, pan_annotations = [], [], []
        ann_id = 1
        for name, item_id, json_path in items:
            ann = load_annotation_json(json_path)
            folder = os.path.dirname(json_path)
            seg = np.array(Image.open(os.path.join(folder, name + "_seg.png")).convert("RGB")).astype(np.int64)
            h, w = seg.shape[:2]
            nw, nh = scaled_size(w, h, limit, keep_squares) if limit else (w, h)
            rows, cols = matlab_nearest(h, nh), matlab_nearest(w, nw)
            classes = (seg[..., 0] // 10) * 256 + seg[..., 1]
            classes = classes[rows][:, cols]
            semantic = np.zeros((nh, nw), dtype=np.uint8)
            for cls in np.unique(classes):
                if int(cls) in semantic_of:
                    semantic[classes == cls] = semantic_of[int(cls)]
            out_sem = np.array(Image.open(os.path.join(args.out, "annotations", subset, name + ".png")))
            check(out_sem.dtype == np.uint8 and out_sem.shape == (nh, nw), f"{name}: semantic map {out_sem.shape}")
            check((out_sem == semantic).all(), f"{name}: semantic map differs from the source")
            d2 = np.array(Image.open(os.path.join(args.out, "annotations_detectron2", subset, name + ".png")))
            check((d2 == semantic - np.uint8(1)).all(), f"{name}: annotations_detectron2 is not semantic - 1")
            counts = np.bincount(semantic.ravel(), minlength=151)
            pixel_totals += counts
            if subset in image_counts:
                image_counts[subset] += counts > 0

            # Instances from the source masks.
            owner = np.zeros((nh, nw), dtype=np.int64)
            objects = [o for o in ann["object"] if int(o.get("parts", {}).get("part_level", 0)) == 0]
            candidates = []
            for position, obj in enumerate(objects):
                cls = int(obj["name_ndx"])
                if cls not in instance_of:
                    continue
                mask = source_mask(os.path.join(folder, obj["instance_mask"]), amodal=False)[rows][:, cols]
                owner[mask] = position + 1
                candidates.append(position)
            kept = []
            for position in candidates:
                cls = instance_of[int(objects[position]["name_ndx"])]
                pixels = owner == position + 1
                pixels &= semantic == instance_semantic[cls]
                if pixels.any():
                    kept.append((position, cls, pixels))
            if len(kept) > 255:
                kept = sorted(kept, key=lambda k: (-int(k[2].sum()), k[0]))[:255]
                kept.sort(key=lambda k: k[0])
            expected = np.zeros((nh, nw, 3), dtype=np.uint8)
            for g, (_, cls, pixels) in enumerate(kept, start=1):
                expected[pixels, 0] = cls
                expected[pixels, 1] = g
            out_ins = np.array(Image.open(os.path.join(args.out, "annotations_instance", subset, name + ".png")))
            check(out_ins.shape == (nh, nw, 3), f"{name}: instance map {out_ins.shape}")
            check((out_ins == expected).all(), f"{name}: instance map differs from the source masks")

            # Image and sizes.
            photo = os.path.join(args.out, "images", subset, name + ".jpg")
            if os.path.exists(photo):
                check(Image.open(photo).size == (nw, nh), f"{name}: photo {Image.open(photo).size} != {(nw, nh)}")
            if name + ".jpg" in official_sizes:
                check(official_sizes[name + ".jpg"] == (nw, nh),
                      f"{name}: {(nw, nh)} but the benchmark lists {official_sizes[name + '.jpg']}")
                sizes_checked += 1
            images.append({"id": name, "file_name": name + ".jpg", "width": nw, "height": nh})

            # prepare_ade20k_ins_seg.py's rules.
            cat_ids, ins_ids = out_ins[..., 0], out_ins[..., 1]
            for thing_id in np.unique(ins_ids):
                if thing_id == 0:
                    continue
                mask = ins_ids == thing_id
                cat = np.unique(cat_ids[mask])
                check(len(cat) == 1, f"{name}: instance {thing_id} has several classes")
                ys, xs = np.nonzero(mask)
                rle = mask_util.encode(np.array(mask[:, :, None], order="F", dtype="uint8"))[0]
                ins_annotations.append({
                    "id": ann_id, "image_id": name, "iscrowd": 0,
                    "category_id": instance_semantic[int(cat[0])] - 1,
                    "bbox": [int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)],
                    "segmentation": {"size": [nh, nw], "counts": rle["counts"].decode()},
                    "area": int(mask_util.area(rle)),
                })
                ann_id += 1

            # prepare_ade20k_pan_seg.py's rules (colours checked, not drawn).
            segments = []
            sem_ids = semantic - np.uint8(1)
            for cat in np.unique(sem_ids):
                if cat == 255 or int(cat) in things:
                    continue
                mask = sem_ids == cat
                segments.append((int(cat), mask, m2f_colors[int(cat)]))
            for thing_id in np.unique(ins_ids):
                if thing_id == 0:
                    continue
                mask = ins_ids == thing_id
                segments.append((instance_semantic[int(np.unique(cat_ids[mask])[0])] - 1, mask, None))
            pan_annotations.append((name, segments))
            scene = ann.get("scene") or []
            word = scene[-1].strip().replace(" ", "_") if scene else "misc"
            check(scenes_written.get(name) == word, f"{name}: scene {scenes_written.get(name)} != {word}")

        # The instance JSON, field by field, and decoded by pycocotools.
        path = os.path.join(args.out, f"ade20k_instance_{split}.json")
        written = json.load(open(path))
        check(list(written) == ["images", "categories", "annotations"], f"{path}: keys {list(written)}")
        check(written["images"] == images, f"{path}: images differ")
        categories = [{"id": instance_semantic[i] - 1, "name": instance_names[i]} for i in sorted(instance_semantic)]
        check(written["categories"] == categories, f"{path}: categories differ")
        check(written["annotations"] == ins_annotations,
              f"{path}: annotations differ from prepare_ade20k_ins_seg.py's rules")
        from pycocotools.coco import COCO
        coco = COCO(path)
        for ann in coco.loadAnns(coco.getAnnIds()):
            decoded = coco.annToMask(ann)
            name = ann["image_id"]
            ins = np.array(Image.open(os.path.join(args.out, "annotations_instance", subset, name + ".png")))
            check(decoded.sum() == ann["area"], f"{name}: decoded area")
            ys, xs = np.nonzero(decoded)
            check(ann["bbox"] == [int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)],
                  f"{name}: bbox")
            ids = np.unique(ins[..., 1][decoded == 1])
            check(len(ids) == 1 and ids[0] != 0 and ((ins[..., 1] == ids[0]) == (decoded == 1)).all(),
                  f"{name}: decoded mask is not one instance of the map")
            instances_checked += 1

        # The panoptic JSON and PNGs.
        path = os.path.join(args.out, f"ade20k_panoptic_{split}.json")
        written = json.load(open(path))
        check(list(written) == ["images", "annotations", "categories"], f"{path}: keys {list(written)}")
        check(written["images"] == images, f"{path}: images differ")
        pan_categories = [{"name": m2f_names[c], "id": c, "isthing": int(c in things), "color": list(m2f_colors[c])}
                          for c in range(150)]
        check(written["categories"] == pan_categories, f"{path}: categories differ")
        check(len(written["annotations"]) == len(pan_annotations), f"{path}: annotation count")
        for record, (name, segments) in zip(written["annotations"], pan_annotations):
            check(record["image_id"] == name and record["file_name"] == name + ".png", f"{name}: panoptic record")
            info = record["segments_info"]
            check(len(info) == len(segments), f"{name}: {len(info)} segments, {len(segments)} expected")
            png = np.array(Image.open(os.path.join(args.out, f"ade20k_panoptic_{split}", name + ".png"))).astype(np.int64)
            ids = png[..., 0] + 256 * png[..., 1] + 65536 * png[..., 2]
            used = set(stuff_colors) | {(0, 0, 0)}
            for segment, (cat, mask, color) in zip(info, segments):
                ys, xs = np.nonzero(mask)
                expected = {"category_id": cat, "area": int(mask.sum()), "iscrowd": 0,
                            "bbox": [int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)]}
                check({k: segment[k] for k in expected} == expected, f"{name}: segment {segment} != {expected}")
                rgb = (segment["id"] % 256, segment["id"] // 256 % 256, segment["id"] // 65536)
                if color is not None:
                    check(rgb == color, f"{name}: stuff colour {rgb} != {color}")
                else:
                    # panopticapi's IdGenerator: the class colour while unused, else a
                    # colour within 30 per channel not used yet.
                    base = m2f_colors[cat]
                    if base not in used:
                        check(rgb == base, f"{name}: thing colour {rgb}, but {base} is unused")
                    check(rgb not in used and all(abs(a - b) <= 30 for a, b in zip(rgb, base)),
                          f"{name}: thing colour {rgb} for base {base}")
                    used.add(rgb)
                check(((ids == segment["id"]) == mask).all(), f"{name}: PNG pixels of segment {segment['id']}")
            covered = np.isin(ids, [s["id"] for s in info])
            check((ids[~covered] == 0).all(), f"{name}: PNG has pixels of no listed segment")

    # objectInfo150.csv counted again; names and stuff flags as the challenge's.
    rows = list(csv.reader(open(os.path.join(args.out, "objectInfo150.csv"))))
    check(rows[0] == ["Idx", "Ratio", "Train", "Val", "Stuff", "Name"], "objectInfo150.csv header")
    total = max(int(pixel_totals.sum()), 1)
    for row, tsv in zip(rows[1:], challenge):
        value = int(row[0])
        check(row[1] == f"{pixel_totals[value] / total:.4f}", f"objectInfo150.csv ratio of {value}")
        check(int(row[2]) == image_counts["training"][value] and int(row[3]) == image_counts["validation"][value],
              f"objectInfo150.csv image counts of {value}")
        check(row[4:] == [tsv[1], tsv[2]], f"objectInfo150.csv row {value}")
    # data.yaml, as Ultralytics' semantic task reads it.
    data = yaml.safe_load(open(os.path.join(args.out, "data.yaml")))
    check(data["path"] == os.path.realpath(args.out), f"data.yaml path {data['path']}")
    for key, subset in [("train", "training"), ("val", "validation")]:
        if subset in by_subset:
            check(data.get(key) == f"images/{subset}", f"data.yaml {key}: {data.get(key)}")
            for photo in glob.glob(os.path.join(data["path"], data[key], "*")):
                relative = os.path.relpath(photo, data["path"]).replace("images", data["masks_dir"], 1)
                mask = os.path.splitext(os.path.join(data["path"], relative))[0] + ".png"
                check(os.path.isfile(mask), f"data.yaml leads {photo} to {mask}, which is absent")
        else:
            check(key not in data, f"data.yaml {key} without {subset}")
    check(data["masks_dir"] == "annotations_detectron2", f"data.yaml masks_dir {data['masks_dir']}")
    check(data["names"] == {i: row[2].split(";")[0] for i, row in enumerate(challenge)}, "data.yaml names")
    if args.sceneparsing:
        official = list(csv.reader(open(os.path.join(args.sceneparsing, "objectInfo150.csv"))))
        check([r[0] for r in official] == [r[0] for r in rows] and [r[4:] for r in official] == [r[4:] for r in rows],
              "objectInfo150.csv Idx, Stuff and Name differ from the challenge's")
        scenes = dict(line.split() for line in open(os.path.join(args.sceneparsing, "sceneCategories.txt")))
        listed = [name for name in scenes_written if name in scenes]
        for name in listed:
            check(scenes[name] == scenes_written[name], f"{name}: scene {scenes_written[name]}, the challenge says {scenes[name]}")
        print(f"{len(listed)} scenes equal the challenge's")
    if args.img_cat_ids:
        check(sizes_checked > 0, "no image of the output is in the benchmark's image list")
        print(f"{sizes_checked} image sizes equal the instance benchmark's")
    leftovers = glob.glob(os.path.join(args.out, ".*.part"))
    check(not leftovers, f"part files left: {leftovers}")
    print(f"ade20k_challenge output OK: {sum(len(v) for v in by_subset.values())} images, "
          f"{instances_checked} instances decoded by pycocotools")


if __name__ == "__main__":
    main()
