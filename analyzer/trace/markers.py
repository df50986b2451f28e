"""The paths the in-sandbox driver opens to tell the trace parser what it is doing.

The driver opens `MARKER_DIR/<state>` (the path does not exist; the failed open is
in the strace log) right before it starts the processes of that state. The parser
takes the first process that opens a marker as the driver, honours markers from that
process only, and attributes every process the driver starts afterwards (and all
their descendants) to the current state. `setup` means "the driver's own helpers":
those are excluded, as is the driver itself.

Keep in sync with sandbox_images/driver/driver.py, which is stdlib-only and cannot
import this module.
"""

MARKER_DIR = "/.pkgsandbox-marker"
SETUP_STATE = "setup"
# Phase states are the `Phase` values: install, import, execute.
