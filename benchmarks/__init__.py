"""Benchmarks: synthetic social graphs and a side-by-side harness against igraph, NetworKit and
networkx (see ``python -m benchmarks.generate -h`` and ``python -m benchmarks.harness -h``)."""
