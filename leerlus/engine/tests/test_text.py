# SPDX-License-Identifier: EUPL-1.2
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from leerlus.engine.text import (
    TextFeatures,
    char_ngrams,
    content_words,
    fingerprint,
    fold,
    mask,
    near_duplicates,
    normalise,
    stem_words,
    words,
)


def test_normalise_keeps_case_and_diacritics_but_plain_quotes_and_spaces():
    assert normalise("  \u201cCafé\u201d \u2013 ok\u00ad\n\tja ") == '"Café" - ok ja'


def test_mask_numbers_urls_and_email_keeps_redaction_placeholders():
    masked = mask("Bel 06-12345678, mail a.b@x.nl of zie https://x.nl/a?b=1. [BSN] [TELEFOON]")
    assert masked == "Bel [NUMBER], mail [EMAIL] of zie [URL] [BSN] [TELEFOON]"


def test_words_are_lowercase_surface_words_without_placeholders_or_numbers():
    assert words("Mijn [BSN] is 123, de E-mail werkt niet!") == [
        "mijn",
        "is",
        "de",
        "e-mail",
        "werkt",
        "niet",
    ]


def test_content_words_drop_function_words_per_language():
    assert content_words("De container is niet geleegd", "nl") == ["container", "geleegd"]
    assert content_words("The bin was not emptied", "en") == ["bin", "emptied"]


def test_stems_are_language_specific():
    plural, singular = stem_words(["vergunningen", "vergunning"], "nl")
    assert plural == singular
    assert stem_words(["complaints"], "en") == ["complaint"]


def test_character_ngrams_let_a_compound_meet_its_parts():
    compound = set(char_ngrams("omgevingsvergunningaanvraag"))
    part = set(char_ngrams("vergunning"))
    assert len(compound & part) >= 10


def test_fold_removes_diacritics():
    assert fold("financiële") == "financiele"


def test_fingerprint_ignores_case_punctuation_numbers_and_personal_data():
    assert fingerprint("Bel mij op 0612345678!") == fingerprint("bel mij op 0687654321")
    assert fingerprint("[NAAM] klaagt") == fingerprint("[BSN] klaagt")
    assert fingerprint("afval") != fingerprint("paspoort")


def test_near_duplicates_group_template_texts_and_leave_others_alone():
    texts = [
        "Via de app: de container in de Lindelaan is niet geleegd, graag actie",
        "Via de app: de container in de Eikenlaan is niet geleegd, graag actie",
        "Ik wil een afspraak maken voor een nieuw paspoort",
        "VIA DE APP: de container in de Lindelaan is niet geleegd, graag actie!!",
    ]
    groups = near_duplicates(texts, threshold=0.5)
    assert groups[0] == groups[3] == 0
    assert groups[2] == 2


def test_features_map_stems_back_to_surface_words_and_transform_new_texts():
    texts = [
        "de vergunningen zijn te duur",
        "vergunning aanvragen duurt lang",
        "de container is niet geleegd",
        "container vol en niet opgehaald",
    ] * 10
    features = TextFeatures(language="nl")
    matrix = features.fit_transform(texts)
    assert matrix.shape[0] == len(texts)
    assert np.allclose(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel(), 1.0, atol=1e-5)
    shown = {features.surface(f) for f in features.feature_names if f.startswith("w:")}
    assert "vergunning" in shown or "vergunningen" in shown
    assert "vergun" not in shown  # a stem is never shown
    new = features.transform(["omgevingsvergunning aanvragen"])
    assert new.nnz > 0
    again = TextFeatures.from_dict(features.to_dict()).transform(["omgevingsvergunning aanvragen"])
    assert np.allclose(new.toarray(), again.toarray(), atol=1e-4)


def test_features_of_an_empty_or_unknown_text_are_an_empty_row():
    features = TextFeatures()
    features.fit_transform(["afval ophalen", "afval container"] * 5)
    assert features.transform(["", "12345", "zzzzqqq"]).shape[0] == 3


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_text_handling_never_crashes_on_any_unicode(text):
    assert isinstance(normalise(text), str)
    assert isinstance(words(text), list)
    assert isinstance(fingerprint(text), str)
    assert all(w == w.lower() for w in words(text))


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_masking_is_idempotent_and_leaves_no_digits(text):
    once = mask(normalise(text))
    assert mask(once) == once
    assert not any(c in "0123456789" for c in once)


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_normalise_is_idempotent(text):
    assert normalise(normalise(text)) == normalise(text)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(max_size=80), min_size=1, max_size=20))
def test_features_never_crash_and_rows_are_unit_or_empty(texts):
    matrix = TextFeatures().fit_transform(texts)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    assert all(abs(n - 1.0) < 1e-4 or n == 0 for n in norms)
