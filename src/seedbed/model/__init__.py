"""The model: what a workspace is (root, config, packages), names and the dependency graph.

Pure reads with tomllib; nothing here runs a tool or changes a file.
"""
