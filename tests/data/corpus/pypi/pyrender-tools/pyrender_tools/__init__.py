"""Offscreen rendering helpers."""


def viewport(width: int = 640, height: int = 480):
    return {"width": width, "height": height, "aspect": width / height}
