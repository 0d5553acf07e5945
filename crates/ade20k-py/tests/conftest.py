"""Shared paths and independent readers (json, Pillow, NumPy) for the tests."""

import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

REPO = Path(__file__).resolve().parents[3]
ASSETS = REPO / "tests" / "assets"
# The shared reference data: beside the clone, or where $ADE20K_SHARED_DATA says.
SHARED_DATA = Path(os.environ.get("ADE20K_SHARED_DATA", REPO.parent / "shared" / "data"))
REAL_ROOT = SHARED_DATA / "ade20k-2021-item" / "ADE20K_2021_17_01"
REAL_PHOTO = REAL_ROOT / "images/ADE/training/urban/street/ADE_train_00016964.jpg"

needs_real = pytest.mark.skipif(
    not REAL_PHOTO.exists(),
    reason=f"the real item of the release is absent ({REAL_PHOTO})",
)


def annotation(photo):
    """The objects of the annotation beside ``photo``, read with json."""
    data = Path(photo).with_suffix(".json").read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return json.loads(text)["annotation"]["object"]


def png(path):
    """The pixels of the PNG at ``path``, as Pillow decodes them."""
    with Image.open(path) as image:
        return np.array(image)


def class_values(path):
    """The class of each pixel of a class map PNG: ``(R/10)*256+G``."""
    rgb = png(path).astype(np.int32)
    return (rgb[:, :, 0] // 10) * 256 + rgb[:, :, 1]


def cli():
    """The command-line binary to compare with: $ADE20K_CLI, or the debug build."""
    binary = Path(os.environ.get("ADE20K_CLI", REPO / "target" / "debug" / "ade20k"))
    if not binary.exists():
        if "ADE20K_CLI" in os.environ:
            pytest.fail(f"ADE20K_CLI={binary} does not exist")
        pytest.skip(f"no command-line binary at {binary}: run `cargo build -p ade20k-cli`")
    return binary
