"""Errors are Python exceptions naming the file, never a crash."""

import pytest

import ade20k
from conftest import ASSETS

BROKEN = ASSETS / "broken"


def test_a_missing_dataset_names_its_path(tmp_path):
    missing = tmp_path / "nothing"
    with pytest.raises(ade20k.DataError) as error:
        ade20k.open(missing)
    assert error.value.path == str(missing)
    assert str(missing) in str(error.value)


@pytest.mark.parametrize(
    "case, file",
    [
        ("json_truncated", ".json"),
        ("json_field_wrong_type", ".json"),
        ("missing_mask", "instance_"),
        ("png_truncated", ".png"),
        ("png_not_png", ".png"),
        ("png_wrong_size", ".png"),
        ("png_bomb", ".png"),
        ("mask_dotdot", ".json"),
    ],
)
def test_a_broken_file_raises_data_error_naming_it(case, file):
    dataset = ade20k.open(BROKEN / case)
    with pytest.raises(ade20k.DataError) as error:
        for item in dataset:
            for obj in item.objects:
                item.mask(obj)
            for level in range(item.part_levels + 1):
                item.class_map(level)
                item.instance_map(level)
    assert file in error.value.path
    assert error.value.problem
    assert str(error.value) == f"{error.value.path}: {error.value.problem}"


def test_a_photo_that_is_not_an_image_raises_data_error():
    dataset = ade20k.open(BROKEN / "image_not_image")
    with pytest.raises(ade20k.DataError) as error:
        for item in dataset:
            item.image()
    assert error.value.path.endswith(".jpg")


def test_usage_errors(tmp_path):
    main = ASSETS / "ade20k2020"
    with pytest.raises(ade20k.UsageError, match="unknown output format 'cocoa'"):
        ade20k.convert(main, "cocoa", tmp_path / "out", progress=False)
    with pytest.raises(ade20k.UsageError, match="invalid value 'some' for media"):
        ade20k.convert(main, "coco", tmp_path / "out", media="some", progress=False)
    with pytest.raises(ade20k.UsageError, match="simplify"):
        ade20k.convert(main, "yolo", tmp_path / "out", simplify=-1, progress=False)
    with pytest.raises(ade20k.UsageError, match="coco does not take --shard-size 16000; --shard-size applies to parquet, webdataset"):
        ade20k.convert(main, "coco", tmp_path / "out", shard_size=16000, progress=False)
    with pytest.raises(ade20k.UsageError, match="shard_size must be at least 1 byte"):
        ade20k.convert(main, "parquet", tmp_path / "out", shard_size=0, progress=False)
    with pytest.raises(ade20k.UsageError, match="max_short_side must be at least 1"):
        ade20k.convert(main, "coco", tmp_path / "out", max_short_side=0, progress=False)
    with pytest.raises(ade20k.UsageError, match="`big` is neither a number of pixels"):
        ade20k.convert(main, "coco", tmp_path / "out", max_short_side="big", progress=False)
    misspelt = tmp_path / "labels.txt"
    misspelt.write_text("skye\n")
    with pytest.raises(ade20k.UsageError, match="skye"):
        ade20k.convert(main, "coco", tmp_path / "out", labels=misspelt, progress=False)
    with pytest.raises(TypeError):
        ade20k.convert(main, "coco", tmp_path / "out", colour="red", progress=False)
    assert not (tmp_path / "out").exists()


def test_a_missing_label_file_is_a_data_error(tmp_path):
    missing = tmp_path / "absent.txt"
    with pytest.raises(ade20k.DataError) as error:
        ade20k.convert(ASSETS / "ade20k2020", "coco", tmp_path / "out", labels=missing)
    assert error.value.path == str(missing)
