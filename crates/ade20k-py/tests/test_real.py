"""The real item of the release (../shared/data), when it is there."""

import numpy as np

import ade20k
from conftest import REAL_PHOTO, REAL_ROOT, annotation, class_values, needs_real, png

pytestmark = needs_real


def test_every_field_mask_and_map_of_the_real_item():
    dataset = ade20k.open(REAL_ROOT)
    assert len(dataset) == 1
    item = dataset["urban/street/ADE_train_00016964"]
    assert (item.width, item.height) == (2200, 1467)
    entries = annotation(REAL_PHOTO)
    assert [o.id for o in item.objects] == [e["id"] for e in entries]
    assert len(item.objects) == 32
    for obj, entry in zip(item.objects, entries):
        assert (obj.class_index, obj.name, obj.raw_name) == (
            entry["name_ndx"], entry["name"], entry["raw_name"])
        assert obj.part_level == entry["parts"]["part_level"]
        assert obj.crop == bool(int(entry["crop"]))
        assert obj.occluded == {"yes": True, "no": False}.get(str(entry["occluded"]))
        assert obj.polygon[:, 0].tolist() == entry["polygon"]["x"]
        pixels = png(REAL_PHOTO.parent / entry["instance_mask"])
        assert (item.mask(obj) == (pixels == 255)).all()
        assert (item.mask(obj, amodal=True) == (pixels > 0)).all()
    stem = str(REAL_PHOTO)[:-4]
    assert (item.class_map(0) == class_values(stem + "_seg.png")).all()
    assert (item.class_map(1) == class_values(stem + "_parts_1.png")).all()
    ids = item.instance_map(0)
    for obj in item.objects:
        if obj.part_level == 0:
            assert (ids[item.mask(obj)] == obj.id).all()


def test_load_ade20k_of_the_real_item():
    loaded = ade20k.load_ade20k(REAL_PHOTO)
    item = ade20k.load_item(REAL_PHOTO)
    assert (loaded["class_mask"] == item.class_map(0)).all()
    assert len(loaded["objects"]["instancendx"]) + len(loaded["parts"]["instancendx"]) == 32
    assert loaded["instance_mask"].dtype == np.int32
    photo = item.image()
    assert photo.shape == (1467, 2200, 3)
