"""Read the ADE20K dataset (2020/2021 release, and 2016/2017) and convert it.

    import ade20k

    dataset = ade20k.open("ADE20K_2021_17_01")
    item = dataset["urban/street/ADE_train_00016964"]
    car = next(o for o in item.objects if o.raw_name == "car")
    visible = item.mask(car)              # numpy bool (H, W)
    classes = item.class_map()            # numpy uint16 (H, W): name_ndx per pixel
    ade20k.convert("ADE20K_2021_17_01", "coco", "out/coco", media="none")

The reading and decoding is done by the project's Rust crates, with the GIL
released; masks reach NumPy without a copy.
"""

from ._native import (
    DEFAULT_MAX_ANNOTATION_BYTES,
    DEFAULT_MAX_PIXELS,
    NO_OBJECT,
    Category,
    DataError,
    Dataset,
    Item,
    Object,
    UsageError,
    formats,
    load_item,
    open,
)
from ._native import convert as _convert
from .loader import SegmentationDataset
from .toolkit import load_ade20k

__all__ = [
    "DEFAULT_MAX_ANNOTATION_BYTES",
    "DEFAULT_MAX_PIXELS",
    "NO_OBJECT",
    "Category",
    "DataError",
    "Dataset",
    "Item",
    "Object",
    "SegmentationDataset",
    "UsageError",
    "convert",
    "formats",
    "load_ade20k",
    "load_item",
    "open",
]


def convert(input, format, output, *, progress=None, **options):
    """Convert the dataset at ``input`` to ``format`` in the folder ``output``.

    The same conversion as ``ade20k convert -i input -f format -o output``,
    byte for byte: every option of the command line is a keyword argument,
    its dashes written as underscores (``skip_broken=True``,
    ``labels="sceneparsing150"``, ``items=["urban/**"]``, ``subsets=["training"]``).
    The output appears complete or not at all. The GIL is released while it runs.

    ``progress`` is called as ``progress(done, total, subset, id, objects)``
    after each item is written; by default a tqdm bar is shown when tqdm is
    installed, and ``progress=False`` shows nothing. An exception raised by
    ``progress`` is raised once the conversion has finished.

    Returns the summary as a dict: ``items``, ``annotations``, ``categories``,
    ``subsets``, ``left_out``, ``notes``, ``skipped`` (broken items left out with
    ``skip_broken=True``) and ``warnings``. Raises :class:`UsageError` for an
    option the conversion cannot honour and :class:`DataError` (with
    ``.path``) for a file that cannot be read or written.
    """
    if progress is False:
        return _convert(input, format, output, **options)
    if progress is not None:
        return _convert(input, format, output, progress=progress, **options)
    try:
        from tqdm import tqdm
    except ImportError:
        return _convert(input, format, output, **options)
    with tqdm(unit="item", desc=f"{format}") as bar:

        def advance(done, total, subset, id, objects):
            bar.total = total
            bar.update(done - bar.n)

        return _convert(input, format, output, progress=advance, **options)
