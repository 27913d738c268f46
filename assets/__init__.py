"""Antrean's shipped files; installed as `antrean.assets` (see antrean/resources.py)."""
