"""``ade20k.convert`` writes the bytes the command line writes."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import ade20k
from conftest import ASSETS, cli

MAIN = ASSETS / "ade20k2020"
FORMATS = [name for name, _ in ade20k.formats()]

# Option sets each format is converted with, by the CLI and from Python.
OPTIONS = [
    {},
    {"media": "none", "amodal": True, "parts": "exclude"},
    {"media": "hardlink", "labels": "sceneparsing150", "label_name": "full"},
    {"media": "symlink", "segmentation": "polygon", "min_area": 40, "exclude_labels": "LABELS"},
    {"media": "none", "subsets": ["training"], "items": ["urban/**"], "limit": 1, "top_classes": 3},
    {"media": "none", "stuff": "LABELS", "parts_level": 1, "label_name": "raw"},
    {"media": "none", "task": "detect", "simplify": 0, "include_labels": "instance100"},
    {"media": "none", "segmentation": "source-polygon", "threads": 1, "skip_broken": True},
    {"media": "none", "shard_size": 4000},
    {"max_short_side": 24},
    {"media": "symlink", "max_short_side": "off"},
]


def flags(options):
    """The command-line flags of keyword ``options``."""
    args = []
    for key, value in options.items():
        flag = "--" + key.replace("_", "-")
        if value is True:
            args.append(flag)
        elif key == "subsets":
            args += [flag, ",".join(value)]
        elif key == "items":
            for pattern in value:
                args += [flag, pattern]
        else:
            args += [flag, str(value)]
    return args


def tree(folder):
    """Every file and link below ``folder``: bytes, or link target; the
    manifest without its times."""
    found = {}
    for path in sorted(Path(folder).rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[name] = ("link", os.readlink(path))
        elif name == ade20k_manifest():
            manifest = json.loads(path.read_text())
            del manifest["started"], manifest["finished"]
            found[name] = ("manifest", manifest)
        elif path.is_file():
            found[name] = ("file", path.read_bytes())
    return found


def ade20k_manifest():
    return ".ade20k-output.json"


@pytest.mark.parametrize("format", FORMATS)
@pytest.mark.parametrize("number", range(len(OPTIONS)))
def test_python_writes_the_bytes_the_cli_writes(tmp_path, format, number):
    labels = tmp_path / "labels.txt"
    labels.write_text("sky\nwall\nfloor\n")
    options = {
        key: str(labels) if value == "LABELS" else value for key, value in OPTIONS[number].items()
    }
    # Both write to the same path in turn (YOLO's data.yaml names it).
    output = tmp_path / "out"
    run = subprocess.run(
        [cli(), "convert", "-i", MAIN, "-f", format, "-o", output, "--quiet", *flags(options)],
        capture_output=True,
        text=True,
    )
    if run.returncode == 2:
        with pytest.raises(ade20k.UsageError) as error:
            ade20k.convert(MAIN, format, output, progress=False, **options)
        assert f"error: {error.value}" in run.stderr
        assert not output.exists()
        return
    assert run.returncode == 0, run.stderr
    expected = tree(output)
    shutil.rmtree(output)
    summary = ade20k.convert(MAIN, format, output, progress=False, **options)
    assert tree(output) == expected
    manifest = expected[ade20k_manifest()][1]
    assert summary["items"] == manifest["items"]
    assert summary["annotations"] == manifest["annotations"]


def test_progress_is_told_every_item_in_order(tmp_path):
    told = []
    summary = ade20k.convert(
        MAIN, "coco", tmp_path / "coco", media="none", progress=lambda *item: told.append(item)
    )
    assert [done for done, *_ in told] == [1, 2, 3]
    assert {total for _, total, *_ in told} == {3}
    assert [(subset, id) for _, _, subset, id, _ in told] == [
        (item.subset, item.id) for item in ade20k.open(MAIN)
    ]
    assert summary["items"] == 3
    assert summary["subsets"]["training"]["items"] == 2


def test_an_exception_in_progress_is_raised(tmp_path):
    def fail(*_):
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        ade20k.convert(MAIN, "semantic", tmp_path / "semantic", media="none", progress=fail)


def test_a_previous_output_is_replaced_only_with_overwrite(tmp_path):
    output = tmp_path / "voc"
    ade20k.convert(MAIN, "voc", output, media="none", progress=False)
    with pytest.raises(ade20k.UsageError, match="overwrite"):
        ade20k.convert(MAIN, "voc", output, media="none", progress=False)
    ade20k.convert(MAIN, "voc", output, media="none", overwrite=True, progress=False)


def test_broken_items_are_skipped_and_listed(tmp_path):
    broken = ASSETS / "broken" / "missing_mask"
    with pytest.raises(ade20k.DataError) as error:
        ade20k.convert(broken, "coco", tmp_path / "coco", progress=False)
    assert "instance_" in error.value.path
    summary = ade20k.convert(broken, "coco", tmp_path / "coco", skip_broken=True, progress=False)
    assert len(summary["skipped"]) == 1
    assert "instance_" in summary["skipped"][0]["reason"]
    assert (tmp_path / "coco" / "skipped.txt").exists()


def test_without_a_callback_a_tqdm_bar_is_shown_when_tqdm_is_there(tmp_path, monkeypatch):
    bars = []

    class FakeBar:
        def __init__(self, **options):
            self.n, self.total, self.options = 0, None, options
            bars.append(self)

        def update(self, step):
            self.n += step

        def __enter__(self):
            return self

        def __exit__(self, *_):
            return False

    fake = type(sys)("tqdm")
    fake.tqdm = FakeBar
    monkeypatch.setitem(sys.modules, "tqdm", fake)
    ade20k.convert(MAIN, "yolo", tmp_path / "yolo", media="none")
    assert [(bar.n, bar.total) for bar in bars] == [(3, 3)]
    ade20k.convert(MAIN, "yolo", tmp_path / "quiet", media="none", progress=False)
    assert len(bars) == 1
