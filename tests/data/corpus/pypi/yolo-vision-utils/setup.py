from setuptools import setup

setup(
    name="yolo-vision-utils",
    version="8.3.41",
    description="Dataset, box and download utilities for YOLO object-detection models.",
    packages=["yolo_vision_utils"],
    package_data={"yolo_vision_utils": ["assets/*.png"]},
    include_package_data=True,
)
