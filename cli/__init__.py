"""The graphkit command-line application (one module per command)."""
