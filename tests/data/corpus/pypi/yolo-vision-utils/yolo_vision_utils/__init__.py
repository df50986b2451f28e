"""Dataset, box and download utilities for YOLO object-detection models."""
from .downloads import check_assets

__version__ = "8.3.41"

check_assets()


def xywh2xyxy(box):
    x, y, w, h = box
    return [x - w / 2, y - h / 2, x + w / 2, y + h / 2]
