"""The forms of signals (:mod:`.signals`) and of imports (:mod:`.imports`)."""
