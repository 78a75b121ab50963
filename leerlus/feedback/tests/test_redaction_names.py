# SPDX-License-Identifier: EUPL-1.2
"""Names after a cue (pure Python: runs without Django settings)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leerlus.feedback.redaction import redact

from .redaction_strategies import FAST, NAME_CUES, assert_redacted, filler, names


@FAST
@given(filler, st.sampled_from(NAME_CUES), names(), filler)
def test_name_after_cue_is_redacted(before: str, cue: str, name: str, after: str) -> None:
    text = f"{before} {cue} {name}. {after}"
    assert_redacted(text, name, "[NAAM]")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mijn naam is Jan de Vries.", "Mijn naam is [NAAM]."),
        ("Dhr. J.P. van der Berg belde.", "Dhr. [NAAM] belde."),
        ("mevrouw Van den Heuvel", "mevrouw [NAAM]"),
        ("mw. A. de Wit en dhr Jansen", "mw. [NAAM] en dhr [NAAM]"),
        ("Ik ben Fatima El Amrani en", "Ik ben [NAAM] en"),
        ("my name is John Smith", "my name is [NAAM]"),
        ("Dear Mrs. O'Brien,", "Dear Mrs. [NAAM],"),
        ("Met vriendelijke groet,\nKees van 't Hof", "Met vriendelijke groet,\n[NAAM]"),
        ("Kind regards,\nSarah", "Kind regards,\n[NAAM]"),
        ("graag storten t.n.v. Iris Smit", "graag storten t.n.v. [NAAM]"),
        ("Van: Jan Jansen <jan@example.nl>", "Van: [NAAM] <[EMAIL]>"),
        ("mijn naam is piet jansen en ik", "mijn naam is [NAAM] en ik"),
    ],
)
def test_examples_of_names(text: str, expected: str) -> None:
    assert redact(text) == expected
