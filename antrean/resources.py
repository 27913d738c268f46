"""The files Antrean ships beside its code: the chime, the logo, the example
office and device files, the voice clips (and the web pages to come).

On disk they stay in the checkout's `assets/` folder; pyproject maps that
folder onto the package `antrean.assets`, so a wheel, an editable install and
the tests all find them the same way: through `importlib.resources`, never
by a path relative to the source tree.
"""

from __future__ import annotations

import atexit
from contextlib import ExitStack
from importlib.resources import as_file, files
from importlib.resources.abc import Traversable
from pathlib import Path

PACKAGE = "antrean.assets"

_extracted = ExitStack()  # files a zipped install had to copy out, removed at exit
atexit.register(_extracted.close)


def asset(*parts: str) -> Traversable:
    """One shipped file or folder, e.g. `asset("voice", "id")`."""
    try:
        root = files(PACKAGE)
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            f"{PACKAGE} is not installed: a checkout needs `./scripts/setup.sh` "
            "(pip install -e .), which maps assets/ onto it", name=PACKAGE,
        ) from None
    return root.joinpath(*parts)


def asset_path(*parts: str) -> Path:
    """A shipped file as a path on disk, for what needs one (Qt, the WAV
    joiner). An ordinary install already has it on disk; a zipped one gets a
    temporary copy that lives until the process ends."""
    found = asset(*parts)
    if isinstance(found, Path):
        return found
    return _extracted.enter_context(as_file(found))


__all__ = ["PACKAGE", "asset", "asset_path"]
