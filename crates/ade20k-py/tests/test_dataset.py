"""Datasets, items and every field of their objects, on the fixtures."""

import pickle

import numpy as np
import pytest

import ade20k
from conftest import ASSETS, annotation

MAIN = ASSETS / "ade20k2020"


def test_a_dataset_is_a_sequence_of_items_in_subset_then_id_order():
    dataset = ade20k.open(MAIN)
    assert dataset.subsets == ["training", "validation"]
    assert len(dataset) == 3
    items = list(dataset)
    assert [(item.subset, item.id) for item in items] == [
        ("training", "home/kitchen/ADE_train_00000002"),
        ("training", "urban/street/ADE_train_00000001"),
        ("validation", "ADE_val_00000001"),
    ]
    assert dataset.ids() == [item.id for item in items]
    assert dataset[-1].id == items[2].id
    assert dataset["urban/street/ADE_train_00000001"].id == items[1].id
    assert dataset["validation/ADE_val_00000001"].subset == "validation"
    assert "home/kitchen/ADE_train_00000002" in dataset
    assert dataset.subset_of(2) == "validation"
    with pytest.raises(IndexError):
        dataset[3]
    with pytest.raises(KeyError, match="no item"):
        dataset["urban/street/nothing"]


def test_subsets_are_chosen_when_opening():
    dataset = ade20k.open(MAIN, subsets=["validation"])
    assert dataset.subsets == ["validation"]
    assert len(dataset) == 1
    with pytest.raises(ade20k.DataError, match="subset"):
        ade20k.open(MAIN, subsets=["testing"])


def test_every_field_of_every_object_is_the_annotation_s():
    for item in ade20k.open(MAIN):
        photo = item.image_path
        assert item.annotation_path == photo.with_suffix(".json")
        entries = annotation(photo)
        assert [o.id for o in item.objects] == [e["id"] for e in entries]
        for index, (obj, entry) in enumerate(zip(item.objects, entries)):
            assert obj.index == index
            assert obj.class_index == entry["name_ndx"]
            assert obj.name == entry["name"]
            assert obj.raw_name == entry["raw_name"]
            assert obj.hypernym == entry["hypernym"]
            parts = entry["parts"]
            assert obj.part_level == parts["part_level"]
            assert obj.is_part == (parts["part_level"] > 0)
            parent = parts["ispartof"]
            assert obj.parent == (None if parent == [] else parent)
            children = [e["id"] for e in entries if e["parts"]["ispartof"] == entry["id"]]
            assert sorted(obj.children) == sorted(children)
            assert obj.occluded == {"yes": True, "no": False}.get(str(entry["occluded"]))
            assert obj.crop == bool(int(entry["crop"]))
            assert obj.depth_rank == entry.get("depth_ordering_rank")
            attributes = entry["attributes"]
            assert obj.attributes == ([attributes] if isinstance(attributes, str) else attributes)
            polygon = entry["polygon"]
            assert obj.polygon.dtype == np.float64
            assert obj.polygon.tolist() == [[x, y] for x, y in zip(polygon["x"], polygon["y"])]
            assert obj.instance_mask == entry["instance_mask"]
            assert item.object(obj.id).index == index


def test_item_fields():
    item = ade20k.open(MAIN)["urban/street/ADE_train_00000001"]
    assert (item.width, item.height) == (64, 48)
    assert item.scene == ["outdoor", "urban", "street"]
    assert item.part_levels == 2
    assert item.image_path == MAIN / "training/urban/street/ADE_train_00000001.jpg"
    assert set(item.source) == {"folder", "filename", "origin"}
    assert item.folder.endswith("training/urban/street")


def test_categories_are_the_classes_of_every_item():
    dataset = ade20k.open(MAIN)
    categories = dataset.categories
    seen = {o.class_index: o.name for item in dataset for o in item.objects}
    assert sorted(categories) == sorted(seen)
    for index, category in categories.items():
        assert category.index == index
        assert category.name == seen[index]
        assert category.first_synonym == seen[index].split(",")[0]


def test_an_input_format_is_chosen_by_name():
    assert len(ade20k.open(MAIN, format="ade20k2020")) == 3
    with pytest.raises(ade20k.DataError):
        ade20k.open(MAIN, format="ade20k2017")
    with pytest.raises(ade20k.UsageError, match="choose one of: ade20k2020, ade20k2017"):
        ade20k.open(MAIN, format="voc")


def test_the_loader_gives_numpy_arrays_and_targets():
    loader = ade20k.SegmentationDataset(MAIN, subsets=["training"])
    assert len(loader) == 2
    image, target = loader[1]
    item = ade20k.open(MAIN, subsets=["training"])[1]
    objects = [o for o in item.objects if o.part_level == 0]
    assert image.shape == (48, 64, 3) and image.dtype == np.uint8
    assert target["masks"].shape == (len(objects), 48, 64)
    assert target["labels"].tolist() == [o.class_index for o in objects]
    assert target["object_ids"].tolist() == [o.id for o in objects]
    for mask, box, obj in zip(target["masks"], target["boxes"], objects):
        assert (mask == item.mask(obj)).all()
        ys, xs = np.nonzero(mask)
        if len(xs):
            assert box.tolist() == [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]
        else:
            assert box.tolist() == [0, 0, 0, 0]
    assert (target["class_map"] == item.class_map()).all()
    copy = pickle.loads(pickle.dumps(loader))
    assert copy[1][1]["item_id"] == target["item_id"]
    parts = ade20k.SegmentationDataset(MAIN, level=1, transform=lambda i, t: t["labels"])
    assert parts[1].tolist() == [o.class_index for o in item.objects if o.part_level == 1]
