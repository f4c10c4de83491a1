#!/usr/bin/env python3
"""Measures tile seams in a `sinsr infer` output.

For each tile boundary (where a tile starts or ends, in output pixels) it takes the mean absolute
step between the two neighbouring columns (rows), divided by the median step over the whole image.
1.0 means a boundary is indistinguishable from any other column; the reference's uniform average
scores higher because the blend weights jump there.

Needs python3-opencv (apt). Usage:
  tools/seam_metric.py OUT.png [--chop-size 64] [--chop-stride 56] [--scale 4]
"""
import argparse

import cv2
import numpy as np


def tile_starts(n, size, stride):
    """The reference's ImageSpliterTh: starts every `stride`, the last one flush with the edge."""
    if n <= size:
        return [0]
    starts = list(range(0, n - size + 1, stride))
    if starts[-1] + size < n:
        starts.append(n - size)
    return starts


def seam_ratio(image, axis, lq_len, size, stride, scale):
    starts = tile_starts(lq_len, size, stride)
    boundaries = sorted({s * scale for s in starts[1:]} | {(s + size) * scale for s in starts[:-1]})
    if not boundaries:
        return float("nan")
    steps = np.abs(np.diff(image, axis=axis)).mean(axis=(1 - axis, 2))  # steps[i] = |x[i+1] - x[i]|
    return np.mean([steps[b - 1] for b in boundaries]) / np.median(steps)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("images", nargs="+")
    parser.add_argument("--chop-size", type=int, default=64)
    parser.add_argument("--chop-stride", type=int)
    parser.add_argument("--scale", type=int, default=4)
    args = parser.parse_args()
    stride = args.chop_stride or args.chop_size * 7 // 8
    for path in args.images:
        image = cv2.imread(path)
        if image is None:
            raise SystemExit(f"{path}: cannot read the image")
        image = image.astype(np.float64)
        h, w = image.shape[0] // args.scale, image.shape[1] // args.scale
        cols = seam_ratio(image, 1, w, args.chop_size, stride, args.scale)
        rows = seam_ratio(image, 0, h, args.chop_size, stride, args.scale)
        print(f"{path}: boundary step / median step: columns {cols:.2f}, rows {rows:.2f}")


if __name__ == "__main__":
    main()
