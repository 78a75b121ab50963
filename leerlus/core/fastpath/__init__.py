# SPDX-License-Identifier: EUPL-1.2
"""Speed shortcuts past Django and DRF, gathered in one place (docs/adr/0003-speed-shortcuts.md).

Each exists because a benchmark in ``bench/`` showed the need, does exactly what the framework
would do (tests compare the two), and says what it refuses:

- :mod:`.newrows`: new rows stored with an ``INSERT`` compiled once per process, or with
  PostgreSQL's ``COPY``; :func:`.newrows.new_row_fields` is the one answer to "which columns
  does a new row get".
- :mod:`.serializers`: input serializers whose fields are built once per process.
- :mod:`.middleware`: API calls with a token skip the browser-only middleware.
"""
