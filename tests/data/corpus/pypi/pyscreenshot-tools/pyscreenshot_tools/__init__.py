"""Screenshot, region-grab and OCR helpers for X11 and Wayland."""
import subprocess
import tempfile

__version__ = "0.6.2"


def grab(path: str = None) -> str:
    """Save a full-screen screenshot and return its path."""
    path = path or tempfile.mktemp(suffix=".png")
    subprocess.run(["import", "-window", "root", path], check=False)
    return path
