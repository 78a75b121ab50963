"""Forms of the patterns pages, one module per entity (filters: :mod:`..filters`)."""
