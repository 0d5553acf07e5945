"""Reading an ADE20K 2020/2021 source dataset, shared by the verify scripts.

Imported by `scripts/verify_*.py` as a sibling module: Python puts a script's
own folder on `sys.path`, so `python3 scripts/verify_x.py ...` finds it from
any working directory. Uses the standard library, Pillow and NumPy only.
"""

import json
import os

import numpy as np
from PIL import Image


def load_annotation_json(path):
    """The `annotation` object of an item's JSON (UTF-8, or cp1252 when not)."""
    raw = open(path, "rb").read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    return json.loads(text)["annotation"]


def source_mask(path, amodal):
    """An instance mask as booleans: visible = 255, amodal = > 0; masks of only
    0 and 1 are binary (1 = visible)."""
    pixels = np.array(Image.open(path))
    if set(np.unique(pixels).tolist()) <= {0, 1}:  # binary 0/1 masks
        return pixels == 1
    return pixels > 0 if amodal else pixels == 255


def first_synonym(name):
    """The first synonym of a class name whose synonyms are split by `,` or `;`."""
    return name.replace(";", ",").split(",")[0].strip()


def source_items(dataset):
    """(subset, id, json path) of every item, subsets and ids sorted."""
    items = []
    for subset in sorted(os.listdir(dataset)):
        root = os.path.join(dataset, subset)
        if not os.path.isdir(root) or subset.startswith("."):
            continue
        ids = []
        for folder, _, files in os.walk(root):
            for name in files:
                if name.endswith(".json"):
                    path = os.path.join(folder, name)
                    ids.append((os.path.relpath(path, root)[: -len(".json")].replace(os.sep, "/"), path))
        items += [(subset, item_id, path) for item_id, path in sorted(ids)]
    return items
