"""Optional engines running graphkit's analyses outside one process.

Each engine is a module of its own, imported only when asked for, because its package is an
optional extra: ``graphkit.engines.spark`` (``pip install 'graphkit[spark]'``).
"""

__all__: list[str] = []
