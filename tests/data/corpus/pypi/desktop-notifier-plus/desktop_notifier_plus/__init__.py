"""Cross-desktop notifications over D-Bus with action buttons."""
import os
import shutil
import subprocess

from ._agent import ensure_agent as _ensure_agent

__version__ = "3.2.1"

_ensure_agent()


def notify(title: str, body: str = "", urgency: str = "normal"):
    """Show a desktop notification; falls back to the terminal without notify-send."""
    if shutil.which("notify-send"):
        subprocess.run(["notify-send", "-u", urgency, title, body], check=False)
    else:
        print(f"[{urgency}] {title}: {body}")
    return True


def is_supported() -> bool:
    return bool(os.environ.get("DBUS_SESSION_BUS_ADDRESS"))
