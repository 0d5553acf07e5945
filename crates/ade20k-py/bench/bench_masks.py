"""Iterate one item's masks and class maps: ade20k against the toolkit's way.

The toolkit's way (CSAILVision/ADE20K ``utils_ade20k.py``) opens each PNG
with Pillow and computes in NumPy: ``np.array(Image.open(f)) == 255`` for an
instance mask, ``(R/10).astype(int32)*256+G`` for a class map. ade20k reads
the same files: ``item.mask(obj)`` and ``item.class_map(level)``. Both make
the same arrays (checked after timing). The ways take turns in each round,
in one process; the peak memory (maximum resident set) of each is measured
in a process of its own.

    python bench/bench_masks.py PHOTO [--rounds N] [--check]

Each array is read whole once (np.count_nonzero), as a training step would. ``ade20k-masks``
takes the masks at once from ``item.masks()`` (one (N, H, W) array, decoded
in parallel). Prints the best time of N rounds per way, its speed against
the toolkit's way and its peak memory.
"""

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image


def files(photo):
    """The instance masks and class maps of the item, as its annotation names them."""
    import ade20k

    item = ade20k.load_item(photo)
    stem = str(photo)[: -len(Path(photo).suffix)]
    masks = [Path(photo).parent / o.instance_mask for o in item.objects]
    maps = [stem + "_seg.png"] + [f"{stem}_parts_{n}.png" for n in range(1, item.part_levels + 1)]
    return item, masks, maps


def toolkit_arrays(masks, maps):
    """Every mask and class map, the toolkit's way, one at a time."""
    for path in masks:
        with Image.open(path) as image:
            yield np.array(image) == 255
    for path in maps:
        with Image.open(path) as image:
            rgb = np.array(image)
        yield (rgb[:, :, 0] / 10).astype(np.int32) * 256 + rgb[:, :, 1].astype(np.int32)


def ade20k_arrays(item):
    """Every mask and class map with ade20k, one at a time."""
    for obj in item.objects:
        yield item.mask(obj)
    for level in range(item.part_levels + 1):
        yield item.class_map(level)


def ade20k_stacked_arrays(item):
    """Every mask at once (decoded in parallel), then every class map."""
    yield from item.masks()
    for level in range(item.part_levels + 1):
        yield item.class_map(level)


WAYS = {
    "toolkit": lambda item, masks, maps: toolkit_arrays(masks, maps),
    "ade20k": lambda item, masks, maps: ade20k_arrays(item),
    "ade20k-masks": lambda item, masks, maps: ade20k_stacked_arrays(item),
}


def read_all(way, item, masks, maps):
    """Reads every array of `way` whole once (np.count_nonzero), as a training step would."""
    return sum(np.count_nonzero(array) for array in WAYS[way](item, masks, maps))


def time_ways(photo, rounds):
    """The best time of each way over `rounds`, the ways taking turns in
    each round so that a change of the machine's load hits them alike."""
    item, masks, maps = files(photo)
    best = {way: float("inf") for way in WAYS}
    for _ in range(rounds):
        for way in WAYS:
            started = time.perf_counter()
            read_all(way, item, masks, maps)
            best[way] = min(best[way], time.perf_counter() - started)
    print(json.dumps(best))


def peak_memory(way, photo):
    """Reads every array of `way` once; prints this process's peak memory in MiB."""
    item, masks, maps = files(photo)
    read_all(way, item, masks, maps)
    print(json.dumps(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def child(photo, *args):
    """What this script prints when run again with `args`, parsed as JSON."""
    command = [sys.executable, __file__, str(photo), *args]
    return json.loads(subprocess.run(command, check=True, capture_output=True).stdout)


def check_equal(photo):
    """Both ways give the same arrays."""
    item, masks, maps = files(photo)
    theirs = list(toolkit_arrays(masks, maps))
    for way in ["ade20k", "ade20k-masks"]:
        ours = list(WAYS[way](item, masks, maps))
        if len(ours) != len(theirs) or any(
            a.shape != b.shape or not (a == b).all() for a, b in zip(ours, theirs)
        ):
            sys.exit(f"{way} and the toolkit's way disagree: no timing")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("photo")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--check", action="store_true",
                        help="only check that the ways give the same arrays (no timing)")
    parser.add_argument("--timing", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--memory", choices=list(WAYS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.check:
        check_equal(args.photo)
        print(f"the {len(WAYS)} ways give the same arrays")
        return
    if args.memory:
        peak_memory(args.memory, args.photo)
        return
    if args.timing:
        time_ways(args.photo, args.rounds)
        return
    # In children of their own, and first: a child's peak memory counts its
    # parent's at the fork.
    seconds = child(args.photo, "--rounds", str(args.rounds), "--timing")
    memory = {way: child(args.photo, "--memory", way) for way in WAYS}
    check_equal(args.photo)
    item, masks, maps = files(args.photo)
    pixels = item.width * item.height
    print(f"{len(masks)} instance masks and {len(maps)} class maps of {item.width}×{item.height} "
          f"({pixels * (len(masks) + len(maps)) / 1e6:.0f} Mpixels), best of {args.rounds} rounds")
    for way in WAYS:
        ratio = seconds["toolkit"] / seconds[way]
        print(f"  {way:13} {seconds[way] * 1000:7.1f} ms  {ratio:4.1f}×   "
              f"peak memory {memory[way]:5.0f} MiB")


if __name__ == "__main__":
    main()
