"""``load_ade20k``: the toolkit's keys, its mistakes fixed."""

import shutil

import numpy as np
import pytest

import ade20k
from conftest import ASSETS, annotation, class_values, png

PHOTO = ASSETS / "ade20k2020/training/urban/street/ADE_train_00000001.jpg"


def test_the_toolkit_s_keys_with_correct_values():
    loaded = ade20k.load_ade20k(str(PHOTO))
    assert set(loaded) == {
        "img_name", "segm_name", "class_mask", "instance_mask",
        "partclass_mask", "part_instance_mask", "objects", "parts",
    }
    stem = str(PHOTO)[:-4]
    assert loaded["img_name"] == str(PHOTO)
    assert loaded["segm_name"] == stem + "_seg.png"
    assert loaded["class_mask"].dtype == np.uint16
    assert (loaded["class_mask"] == class_values(stem + "_seg.png")).all()
    # Fix 3: integer part classes, not float64.
    assert len(loaded["partclass_mask"]) == 2
    for level, classes in enumerate(loaded["partclass_mask"], start=1):
        assert classes.dtype == np.uint16
        assert (classes == class_values(f"{stem}_parts_{level}.png")).all()
    # Fix 4: part instances are not the class list.
    assert loaded["part_instance_mask"] is not loaded["partclass_mask"]
    entries = annotation(PHOTO)
    for level, ids in enumerate([loaded["instance_mask"], *loaded["part_instance_mask"]]):
        expected = np.full(ids.shape, -1, dtype=np.int32)
        for entry in entries:
            if entry["parts"]["part_level"] == level:
                mask = png(PHOTO.parent / entry["instance_mask"])
                expected[mask == 255] = entry["id"]
        # Fix 1: object ids from the instance masks, not a rank of B.
        assert (ids == expected).all()


def test_objects_and_parts_have_every_field():
    loaded = ade20k.load_ade20k(PHOTO)
    entries = annotation(PHOTO)
    for key, wanted in [("objects", lambda e: e == 0), ("parts", lambda e: e > 0)]:
        chosen = [e for e in entries if wanted(e["parts"]["part_level"])]
        fields = loaded[key]
        assert fields["instancendx"].tolist() == [e["id"] for e in chosen]
        assert fields["class"] == [e["raw_name"] for e in chosen]
        assert fields["corrected_raw_name"] == [e["name"] for e in chosen]
        assert fields["iscrop"].tolist() == [int(e["crop"]) for e in chosen]
        assert fields["name_ndx"].tolist() == [e["name_ndx"] for e in chosen]
        assert fields["part_level"].tolist() == [e["parts"]["part_level"] for e in chosen]
        parents = [-1 if e["parts"]["ispartof"] == [] else e["parts"]["ispartof"] for e in chosen]
        assert fields["ispartof"].tolist() == parents
        for attributes in fields["listattributes"]:
            assert isinstance(attributes, list)
        for polygon, entry in zip(fields["polygon"], chosen):
            assert polygon["x"].tolist() == entry["polygon"]["x"]
            assert polygon["y"].tolist() == entry["polygon"]["y"]
        assert fields["instance_mask"] == [e["instance_mask"] for e in chosen]
    assert loaded["parts"]["part_level"].tolist().count(2) == 2


def test_a_missing_annotation_is_an_error_not_empty_dicts(tmp_path):
    photo = tmp_path / "ADE_train_00000001.jpg"
    shutil.copy(PHOTO, photo)
    with pytest.raises(ade20k.DataError) as error:
        ade20k.load_ade20k(photo)
    assert error.value.path == str(photo.with_suffix(".json"))
