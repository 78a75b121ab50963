"""The staff and public pages of signals (:mod:`.signals`) and of imports (:mod:`.imports`)."""
