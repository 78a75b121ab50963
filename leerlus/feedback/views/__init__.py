# SPDX-License-Identifier: EUPL-1.2
"""The staff and public pages of signals (:mod:`.signals`) and of imports (:mod:`.imports`)."""
