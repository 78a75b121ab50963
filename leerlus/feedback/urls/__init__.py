# SPDX-License-Identifier: EUPL-1.2
"""The URLs of signals (:mod:`.signals`: staff pages and the public form) and imports."""
