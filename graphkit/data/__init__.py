"""Data shipped with graphkit: the demo dataset."""

from graphkit.data.locate import demo_folder

__all__ = ["demo_folder"]
