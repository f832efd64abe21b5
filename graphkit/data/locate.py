"""Location of the demo dataset shipped inside the package."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def demo_folder() -> Path:
    """The folder of the demo dataset (accounts, follows and interactions of a B2B audience)."""
    return Path(str(resources.files("graphkit.data").joinpath("demo")))
