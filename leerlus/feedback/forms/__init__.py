# SPDX-License-Identifier: EUPL-1.2
"""The forms of signals (:mod:`.signals`) and of imports (:mod:`.imports`)."""
