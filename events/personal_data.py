"""Declarations of events' fields (see privacy/declarations.py). No models yet."""
