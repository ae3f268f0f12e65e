"""seedbed: bootstrap and tend a prototyping monorepo (the `proto` command)."""

__version__ = "0.1.0"
