"""Diagram code: the restricted environment it runs in, its budget, and the helpers it may call."""
