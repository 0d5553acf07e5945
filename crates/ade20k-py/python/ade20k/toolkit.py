"""``load_ade20k``: the dataset toolkit's ``loadAde20K``, corrected.

The ADE20K toolkit (CSAILVision/ADE20K, ``utils/utils_ade20k.py``) reads one
item with ``loadAde20K(file)``. :func:`load_ade20k` returns the same keys, so
code written for it keeps working, with these mistakes of the toolkit fixed:

1. ``instance_mask``: the toolkit gives the dense rank of the ``_seg.png`` B
   channel (``np.unique(B, return_inverse=True)``; in older versions the class
   map itself), numbers that are not the object ids and that count 0 as an
   instance where B has no 0. Here: int32, the ``id`` of the level-0 object
   visible at each pixel, as its instance mask says (value 255), ``-1`` where
   there is none (``ade20k.NO_OBJECT``).
2. The B channel and the instance masks disagree at a few pixels in real
   items (the real sample: 199,443 against 199,639 pixels for one object):
   the masks here follow the instance PNGs, the source of truth.
3. ``partclass_mask``: the toolkit computes ``(np.int32(R)/10)*256+G``, a true
   division giving float64 arrays (wrong values wherever R is not a multiple
   of 10). Here: uint16 with integer division, as ``class_mask``.
4. ``part_instance_mask``: the toolkit returns the very list object of
   ``partclass_mask`` (a TODO in its source). Here: one int32 map per part
   level, the ``id`` of the part of that level visible at each pixel, -1 elsewhere.
5. ``class_mask``: int32 in the toolkit; here uint16 (the class index fits),
   the same values.
6. ``objects`` and ``parts`` lacked the class index, the occlusion, the part
   level, the part links and the depth order. Added: ``name_ndx``,
   ``occluded`` (True, False, None), ``part_level``, ``ispartof`` (the parent's
   id, -1 for objects), ``children``, ``depth_rank`` (0 when not annotated),
   ``instance_mask`` (the mask file as the annotation names it) and
   ``raw_name``/``name``. The toolkit's keys keep their meaning: ``class`` is
   the annotator's word (``raw_name``), ``corrected_raw_name`` the WordNet
   name, ``instancendx`` the ids, ``iscrop``, ``listattributes``, ``polygon``.
7. ``listattributes``: the toolkit passes the file's value through, a string
   or a list; here always a list of words.
8. A missing or broken annotation: the toolkit returns empty ``objects`` and
   ``parts`` dicts (missing file) or a bare ``KeyError``; here
   :class:`ade20k.DataError`, naming the file and the problem.
9. File names: the toolkit replaces every ``.jpg`` in the whole path
   (``str.replace``), so a folder named ``x.jpg`` breaks it; here only the
   photo's own name is changed.
"""

import numpy as np

from ._native import load_item


def _fields(item, objects):
    """The toolkit's per-object fields, and the added ones, of ``objects``."""
    return {
        "instancendx": np.array([o.id for o in objects], dtype=np.int64),
        "class": [o.raw_name for o in objects],
        "corrected_raw_name": [o.name for o in objects],
        "iscrop": np.array([int(o.crop) for o in objects], dtype=np.int64),
        "listattributes": [o.attributes for o in objects],
        "polygon": [{"x": o.polygon[:, 0].copy(), "y": o.polygon[:, 1].copy()} for o in objects],
        "name_ndx": np.array([o.class_index for o in objects], dtype=np.int64),
        "raw_name": [o.raw_name for o in objects],
        "name": [o.name for o in objects],
        "occluded": [o.occluded for o in objects],
        "part_level": np.array([o.part_level for o in objects], dtype=np.int64),
        "ispartof": np.array([-1 if o.parent is None else o.parent for o in objects], dtype=np.int64),
        "children": [o.children for o in objects],
        "depth_rank": np.array([o.depth_rank or 0 for o in objects], dtype=np.int64),
        "instance_mask": [o.instance_mask for o in objects],
    }


def load_ade20k(file, *, max_pixels=None):
    """Read the item whose photo is ``file`` as the toolkit's ``loadAde20K`` does.

    Returns a dict with the toolkit's keys: ``img_name``, ``segm_name``,
    ``class_mask``, ``instance_mask``, ``partclass_mask``,
    ``part_instance_mask``, ``objects`` and ``parts``, with its mistakes fixed
    (listed one by one in this module's documentation and the package README).
    """
    options = {} if max_pixels is None else {"max_pixels": max_pixels}
    item = load_item(file, **options)
    objects = [o for o in item.objects if o.part_level == 0]
    parts = [o for o in item.objects if o.part_level > 0]
    photo = str(item.image_path)
    stem = photo[: photo.rfind(".")] if "." in photo.rsplit("/", 1)[-1] else photo
    levels = range(1, item.part_levels + 1)
    return {
        "img_name": photo,
        "segm_name": stem + "_seg.png",
        "class_mask": item.class_map(0),
        "instance_mask": item.instance_map(0),
        "partclass_mask": [item.class_map(level) for level in levels],
        "part_instance_mask": [item.instance_map(level) for level in levels],
        "objects": _fields(item, objects),
        "parts": _fields(item, parts),
    }
