"""Train-loop skeleton: ade20k.SegmentationDataset under torch's DataLoader.

    python examples/torch_loader.py DATASET [--workers N]

SegmentationDataset imports no torch; this example does, to show the two
together: images and targets become tensors with torch.from_numpy (no copy).
Without torch installed it iterates the dataset with NumPy alone.
"""

import argparse

import ade20k


def to_tensors(image, target):
    """The pair as torch tensors (CHW float image), Mask R-CNN style targets."""
    import torch

    tensor = torch.from_numpy(image).permute(2, 0, 1).float() / 255
    return tensor, {
        "masks": torch.from_numpy(target["masks"]),
        "labels": torch.from_numpy(target["labels"]),
        "boxes": torch.from_numpy(target["boxes"]),
    }


def collate(batch):
    """A batch as a tuple of images and a tuple of targets (sizes differ)."""
    return tuple(zip(*batch))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    try:
        from torch.utils.data import DataLoader
    except ImportError:
        dataset = ade20k.SegmentationDataset(args.dataset)
        for index in range(len(dataset)):
            image, target = dataset[index]
            print(target["item_id"], image.shape, target["masks"].shape)
        return
    dataset = ade20k.SegmentationDataset(args.dataset, transform=to_tensors)
    loader = DataLoader(
        dataset, batch_size=2, num_workers=args.workers, collate_fn=collate
    )
    for images, targets in loader:
        print(len(images), [tuple(t["masks"].shape) for t in targets])
        # the model's forward and backward pass go here


if __name__ == "__main__":
    main()
