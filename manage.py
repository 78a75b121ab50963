#!/usr/bin/env python
# SPDX-License-Identifier: EUPL-1.2
"""Django's usual entry point; ``leerlus`` (installed in .venv) does the same."""

from leerlus.cli import main

if __name__ == "__main__":
    main()
