"""Declarations of consent's fields (see privacy/declarations.py). No models yet."""
