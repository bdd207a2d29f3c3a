"""Where the project's sources are: the folder holding ``conf.py``.

The build and catalog tools run from a checkout (``tools/*.py``, nox, the tests); they find
it from the working folder upwards, so the installed package never guesses from its own path.
"""

from __future__ import annotations

import os
from pathlib import Path


def find_root(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` (default: the working folder) with ``conf.py``.

    ``$TALIMAT_ROOT`` wins when set. Outside a checkout this is an error that says so.
    """
    if override := os.environ.get("TALIMAT_ROOT"):
        return Path(override).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "conf.py").is_file() and (folder / "locales").is_dir():
            return folder
    raise FileNotFoundError(
        f"no Talimat checkout (a folder with conf.py and locales/) at or above {here}"
    )


#: The checkout the tools work on.
ROOT = find_root()
