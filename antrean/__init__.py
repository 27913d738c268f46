"""Antrean: a digital queue system for public-service offices."""

__version__ = "0.1.0"
