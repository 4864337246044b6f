"""Kassa: an open-source digital-banking platform."""

__version__ = "0.1.0"
