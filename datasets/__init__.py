"""Deterministic generators of the sample datasets shipped with graphkit."""
