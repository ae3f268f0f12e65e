"""Templating: the only place that knows Copier, its answers files and the template history."""
