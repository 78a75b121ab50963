# SPDX-License-Identifier: EUPL-1.2
"""Importing files of signals: map each row, keep what is wrong, store what is right.

- :mod:`.mapping`: one row of a file to a ``SignalInput``, or the reasons why not;
- :mod:`.reasons`: those reasons and the errors about a whole file, in words;
- :mod:`.batches`: an import's life, from the uploaded file to the finished batch;
- :mod:`.workers`: mapping and storing the chunks, here or in a pool of processes;
- :mod:`.correction`: correcting rejected rows, one by one or as a re-imported file;
- :mod:`.export`: the download of the rejected rows.

The reads (an organisation's imports, a batch's rejected rows, the suggested mapping) are in
:mod:`leerlus.feedback.selectors`.
"""
