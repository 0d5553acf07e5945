"""A dataset class for PyTorch-style data loaders, without importing torch."""

import numpy as np

from ._native import open as _open


class SegmentationDataset:
    """The items of an ADE20K dataset as ``(image, target)`` pairs of NumPy arrays.

    It has ``__len__`` and ``__getitem__``, all that ``torch.utils.data.DataLoader``
    needs, and imports no torch: wrap the arrays with ``torch.from_numpy`` (no
    copy) in ``transform`` or in the loader's ``collate_fn``. The dataset is
    opened once per process that reads it, so it works with worker processes.

    ``image`` is uint8 (H, W, 3). ``target`` holds, for the objects of part
    level ``level`` (0: whole objects, N: parts of level N):

    - ``masks``: bool (N, H, W), each object's visible pixels (every pixel
      where it is, hidden too, with ``amodal=True``);
    - ``labels``: int64 (N,), class indices (``name_ndx``);
    - ``boxes``: float32 (N, 4), ``x0, y0, x1, y1`` around each mask, in pixels
      (an empty mask has a box of zeros);
    - ``object_ids``: int64 (N,), the objects' ids in their item;
    - ``class_map``: uint16 (H, W), the class index at each pixel;
    - ``instance_map``: int32 (H, W), the visible object's id, -1 for none;
    - ``item_id`` and ``subset``.

    ``transform(image, target)`` is applied to each pair when given.
    """

    def __init__(self, path, *, subsets=None, level=0, amodal=False, transform=None):
        self.path = path
        self.subsets = subsets
        self.level = level
        self.amodal = amodal
        self.transform = transform
        self._dataset = None
        self._length = len(self._open())

    def _open(self):
        if self._dataset is None:
            self._dataset = _open(self.path, subsets=self.subsets)
        return self._dataset

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_dataset"] = None
        return state

    def __len__(self):
        return self._length

    def __getitem__(self, index):
        item = self._open()[index]
        image = item.image()
        objects = [o for o in item.objects if o.part_level == self.level]
        masks = item.masks(self.level, amodal=self.amodal)
        boxes = np.zeros((len(objects), 4), dtype=np.float32)
        for row, mask in enumerate(masks):
            ys = np.flatnonzero(mask.any(axis=1))
            xs = np.flatnonzero(mask.any(axis=0))
            if len(xs):
                boxes[row] = (xs[0], ys[0], xs[-1] + 1, ys[-1] + 1)
        target = {
            "masks": masks,
            "labels": np.array([o.class_index for o in objects], dtype=np.int64),
            "boxes": boxes,
            "object_ids": np.array([o.id for o in objects], dtype=np.int64),
            "class_map": item.class_map(self.level),
            "instance_map": item.instance_map(self.level),
            "item_id": item.id,
            "subset": item.subset,
        }
        if self.transform is not None:
            return self.transform(image, target)
        return image, target
