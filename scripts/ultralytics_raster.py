"""YOLO segment label lines turned into masks the way Ultralytics trains on them.

Reproduces, with NumPy and OpenCV (`opencv-python-headless`) and without
Ultralytics itself, what Ultralytics 8.x does to the segments of one label
file before its loss sees them, at the image's own size:

1. `verify_image_label` (`ultralytics/data/utils.py`): each line split on
   white space, the coordinates parsed into a `float32` array of (x, y) points;
2. `YOLODataset.update_labels_info` (`ultralytics/data/dataset.py`) with
   `resample_segments` (`ultralytics/utils/ops.py`): every segment of the
   image resampled to the same number of points `n`: 1,000, or, when a segment
   has more, the longest one's length + 1; each segment is closed (its first point repeated
   at the end) and points are added by linear interpolation at evenly spaced
   positions along its point index, every original point kept, in `float32`;
3. `Instances.denormalize` (`ultralytics/utils/instance.py`): x multiplied by
   the image width and y by its height, in `float32`;
4. `polygon2mask` (`ultralytics/data/utils.py`), as `Format` calls it through
   `polygons2masks` (`ultralytics/data/augment.py`) with a mask ratio of 1:
   the points converted to `int32` (truncated towards zero) and filled by
   `cv2.fillPoly` (even-odd rule, the boundary drawn too), one mask per line.

Not reproduced: the augmentations (mosaic, scaling, letterboxing to the
training size), which move the points before step 4, and the downsampling of
the mask by the mask ratio (4 by default) after it.
"""

import cv2
import numpy as np

# Points per segment Ultralytics resamples to, unless a segment is longer.
RESAMPLED_POINTS = 1000


def parse_segments(text):
    """(class, float32 array of (x, y) points) per line of a label file."""
    lines = [line.split() for line in text.strip().splitlines() if line.strip()]
    return [(int(fields[0]), np.array(fields[1:], dtype=np.float32).reshape(-1, 2)) for fields in lines]


def resample(segments):
    """The segments of one image resampled as Ultralytics does (step 2)."""
    if not segments:
        return []
    longest = max(len(s) for s in segments)
    n = longest + 1 if longest > RESAMPLED_POINTS else RESAMPLED_POINTS
    resampled = []
    for segment in segments:
        if len(segment) == n:
            resampled.append(segment)
            continue
        closed = np.concatenate([segment, segment[:1]])
        index = np.arange(len(closed))
        if len(closed) < n:
            # n - len(closed) evenly spaced positions, each original index
            # inserted where it sorts.
            positions = np.linspace(0, len(closed) - 1, n - len(closed))
            positions = np.insert(positions, np.searchsorted(positions, index), index)
        else:
            positions = np.linspace(0, len(closed) - 1, n)
        columns = [np.interp(positions, index, closed[:, axis]) for axis in range(2)]
        resampled.append(np.concatenate(columns, dtype=np.float32).reshape(2, -1).T)
    return resampled


def fill(points, width, height):
    """`polygon2mask` of one segment of pixel coordinates (step 4)."""
    mask = np.zeros((height, width), dtype=np.uint8)
    cv2.fillPoly(mask, [np.asarray(points, dtype=np.int32).reshape(-1, 2)], color=1)
    return mask.astype(bool)


def masks(segments, width, height):
    """The mask of every segment (normalised points) of one image, as
    Ultralytics rasterises it at the image's size (steps 2 to 4)."""
    scale = np.array([width, height], dtype=np.float32)
    return [fill(segment * scale, width, height) for segment in resample(segments)]
