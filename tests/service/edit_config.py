"""The newcomer's editor for `sudoedit` (SUDO_EDITOR): edit_config.py EDITS FILE.

EDITS holds one "line<TAB>replacement" per line; each line must occur exactly once in FILE.
"""

from __future__ import annotations

import sys
from pathlib import Path

import world

if __name__ == "__main__":
    world.edit_config(Path(sys.argv[2]), Path(sys.argv[1]))
