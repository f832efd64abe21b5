"""Doctest collection: the Spark engine module needs the optional pyspark."""

import importlib.util

collect_ignore = [] if importlib.util.find_spec("pyspark") else ["graphkit/engines/spark.py"]
