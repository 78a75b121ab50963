# SPDX-License-Identifier: EUPL-1.2
"""What an import's result says beyond its counts, the same on its page and in the command
line: the rows read as Windows-1252, and how to resume an interrupted command-line import."""

from __future__ import annotations

import shlex

from django.utils.translation import ngettext

from ..models import ImportBatch


def recoded_summary(batch: ImportBatch) -> str:
    """``"2 rows were read as Windows-1252: rows 3, 7."``, or "" when none was; the row
    numbers are the first ones kept (``…`` where there were more)."""
    if not batch.recoded:
        return ""
    numbers = [str(n) for n in batch.recoded_rows or []]
    if batch.recoded > len(numbers):
        numbers.append("…")
    return ngettext(
        "%(count)s row was read as Windows-1252: row %(rows)s.",
        "%(count)s rows were read as Windows-1252: rows %(rows)s.",
        batch.recoded,
    ) % {"count": batch.recoded, "rows": ", ".join(numbers)}


def resume_command(batch: ImportBatch) -> str:
    """The command that resumes an interrupted command-line import (FILE: the same file
    again); "" for one that is not interrupted or that keeps its own file (the browser's)."""
    if not batch.interrupted or batch.file:
        return ""
    return shlex.join(
        [
            "leerlus",
            "import",
            "FILE",
            "--org",
            batch.organisation.slug,
            "--source",
            batch.source,
            "--resume",
            str(batch.pk),
        ]
    )
