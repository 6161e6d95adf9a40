"""Stride: self-hosted performance tracking."""

__version__ = "0.1.0"
