"""The URLs of signals (:mod:`.signals`: staff pages and the public form) and imports."""
