"""Reads of the patterns app, one module per entity, always within one organisation."""
