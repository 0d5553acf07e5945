"""Masks, class maps, instance maps and photos equal what Pillow reads from the files."""

import numpy as np
import pytest
from PIL import Image

import ade20k
from conftest import ASSETS, class_values, png

DATASETS = ["ade20k2020", "ade20k2020_binary", "ade20k2020_meta", "ade20k2020_release"]


def mask_file(item, obj):
    return item.image_path.parent / obj.instance_mask


def items():
    for name in DATASETS:
        yield from ade20k.open(ASSETS / name)


def test_masks_are_the_instance_pngs():
    count = 0
    for item in items():
        for obj in item.objects:
            pixels = png(mask_file(item, obj))
            if set(np.unique(pixels)) <= {0, 1}:  # a binary mask: 1 is visible
                visible = amodal = pixels == 1
                stored = pixels * 255
            else:
                visible, amodal, stored = pixels == 255, pixels > 0, pixels
            mask = item.mask(obj)
            assert mask.dtype == np.bool_ and mask.shape == (item.height, item.width)
            assert (mask == visible).all()
            assert (item.mask(obj.id, amodal=True) == amodal).all()
            assert (item.instance_mask(obj) == stored).all()
            count += 1
    assert count > 40


def test_class_maps_are_r_over_10_times_256_plus_g():
    for item in items():
        stem = str(item.image_path)[: -len(item.image_path.suffix)]
        for level in range(item.part_levels + 1):
            name = "_seg.png" if level == 0 else f"_parts_{level}.png"
            classes = item.class_map(level)
            assert classes.dtype == np.uint16
            assert (classes == class_values(stem + name)).all()


def test_instance_maps_hold_the_ids_of_the_visible_objects():
    for item in items():
        for level in range(item.part_levels + 1):
            ids = item.instance_map(level)
            assert ids.dtype == np.int32 and ids.shape == (item.height, item.width)
            expected = np.full(ids.shape, ade20k.NO_OBJECT, dtype=np.int32)
            for obj in item.objects:
                if obj.part_level == level:
                    expected[item.mask(obj)] = obj.id
            assert (ids == expected).all()
            # Every object of the level is seen where its class map says its class is.
            classes = item.class_map(level)
            for obj in item.objects:
                if obj.part_level == level:
                    assert (classes[ids == obj.id] == obj.class_index).all()


def test_the_photo_is_decoded_as_pillow_decodes_it():
    for item in items():
        photo = item.image()
        with Image.open(item.image_path) as image:
            expected = np.asarray(image.convert("RGB"), dtype=np.int16)
        assert photo.dtype == np.uint8 and photo.shape == (item.height, item.width, 3)
        # JPEG decoders may round a few values differently.
        assert np.abs(photo.astype(np.int16) - expected).max() <= 2


def test_masks_are_arrays_numpy_owns_nothing_of():
    item = ade20k.open(ASSETS / "ade20k2020")[0]
    mask = item.mask(item.objects[0])
    # The array wraps the buffer the decoder filled: NumPy did not allocate it.
    assert not mask.flags.owndata and mask.base is not None
    assert mask.flags.c_contiguous and mask.flags.writeable


def test_objects_and_levels_that_are_not_there_are_refused():
    item = ade20k.open(ASSETS / "ade20k2020")[0]
    with pytest.raises(KeyError, match="no object with id 99"):
        item.mask(99)
    with pytest.raises(TypeError):
        item.mask("wall")
    with pytest.raises(ValueError, match="part levels 0 to 1"):
        item.class_map(2)


def test_masks_at_once_are_the_masks_one_by_one():
    for item in items():
        for level in [None, *range(item.part_levels + 1)]:
            chosen = [o for o in item.objects if level is None or o.part_level == level]
            for amodal in [False, True]:
                stacked = item.masks(level, amodal=amodal)
                assert stacked.dtype == np.bool_
                assert stacked.shape == (len(chosen), item.height, item.width)
                for plane, obj in zip(stacked, chosen):
                    assert (plane == item.mask(obj, amodal=amodal)).all()


def test_threads_decode_at_once_and_agree():
    from concurrent.futures import ThreadPoolExecutor

    item = ade20k.open(ASSETS / "ade20k2020")["urban/street/ADE_train_00000001"]
    expected = item.masks()
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: item.masks(), range(8)))
    for stacked in results:
        assert (stacked == expected).all()
