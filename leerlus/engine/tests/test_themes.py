# SPDX-License-Identifier: EUPL-1.2
import json
from datetime import date

import numpy as np
import pytest
from sklearn.metrics import v_measure_score  # type: ignore[import-untyped]

from leerlus.demo.feedback_generator import generate_feedback
from leerlus.engine.text import words
from leerlus.engine.themes import UNASSIGNED, Curation, ThemeModel, assign, discover


@pytest.fixture(scope="module")
def signals():
    return list(generate_feedback(start=date(2025, 1, 1), days=60, mean_per_day=25))


@pytest.fixture(scope="module")
def first_run(signals):
    texts = [s.text for s in signals]
    return discover(texts, ids=[s.external_id for s in signals])


def test_discovers_labelled_themes_that_match_the_hidden_ones(signals, first_run):
    themes = first_run.model.themes
    assert 5 <= len(themes) <= len(signals) // 5
    assert all(t.label and t.key_terms and t.examples for t in themes if t.size)
    assert first_run.unassigned_share < 0.15
    truth = [s.theme for s in signals]
    assert v_measure_score(truth, first_run.assignments) > 0.5
    assert sum(t.size for t in themes) == int((first_run.assignments != UNASSIGNED).sum())


def test_labels_are_surface_words_not_stems(signals, first_run):
    vocabulary = {w for s in signals for w in words(s.text)}
    terms = [w for t in first_run.model.themes for term in t.key_terms for w in term.split()]
    assert terms
    assert all(w in vocabulary for w in terms)


def test_examples_belong_to_their_theme(signals, first_run):
    position = {s.external_id: i for i, s in enumerate(signals)}
    for theme in first_run.model.themes:
        for example_id in theme.example_ids:
            assert first_run.assignments[position[example_id]] == theme.id


def test_model_round_trips_through_json_and_assigns_the_same(signals, first_run):
    texts = [s.text for s in signals[:300]]
    model = ThemeModel.from_json(first_run.model.to_json())
    before, _ = assign(first_run.model, texts)
    after, _ = assign(model, texts)
    assert np.mean(before == after) > 0.98
    assert json.loads(model.to_json())["themes"][0]["id"] == first_run.model.themes[0].id


def test_assignment_of_new_items_agrees_with_discovery(signals, first_run):
    texts = [s.text for s in signals]
    again, similarity = assign(first_run.model, texts)
    assert np.mean(again == first_run.assignments) > 0.85
    assert similarity.shape == (len(texts),)


def test_an_item_that_fits_no_theme_is_unassigned(first_run):
    labels, similarity = assign(
        first_run.model, ["", "12345 !!!", first_run.model.themes[0].examples[0]]
    )
    assert list(labels[:2]) == [UNASSIGNED, UNASSIGNED]
    assert similarity[2] > similarity[0]


def test_rerun_with_added_data_keeps_theme_identity_and_analyst_names(signals, first_run):
    biggest = max(first_run.model.themes, key=lambda t: t.size)
    curation = Curation(names={biggest.id: "Analyst's name"}, pinned={biggest.id})
    more = list(generate_feedback(start=date(2025, 3, 2), days=20, mean_per_day=25))
    texts = [s.text for s in signals] + [s.text for s in more]
    ids = [s.external_id + "a" for s in signals] + [s.external_id + "b" for s in more]
    rerun = discover(texts, ids=ids, previous=first_run.model, curation=curation)
    assert rerun.retained_share is not None
    assert rerun.retained_share > 0.8
    renamed = rerun.model.theme(biggest.id)
    assert renamed is not None
    assert renamed.title == "Analyst's name"
    assert renamed.pinned
    assert renamed.label == biggest.label  # a pinned theme keeps its label
    old_ids = {t.id for t in first_run.model.themes}
    assert len(old_ids & {t.id for t in rerun.model.themes}) >= 0.7 * len(old_ids)
    # the next run, without repeating the curation, still knows the name and the pin
    third = discover(texts, ids=ids, previous=rerun.model)
    kept = third.model.theme(biggest.id)
    assert kept is not None
    assert kept.title == "Analyst's name"


def test_merge_split_hide_and_move_are_honoured(signals, first_run):
    texts = [s.text for s in signals]
    ids = [s.external_id for s in signals]
    by_size = sorted(first_run.model.themes, key=lambda t: -t.size)
    big, second, third = by_size[0], by_size[1], by_size[2]
    moved_item = next(i for i, a in zip(ids, first_run.assignments, strict=True) if a == third.id)
    curation = Curation(
        merges=[[second.id, third.id]],
        splits={big.id: 2},
        hidden={second.id},
        moves={moved_item: big.id},
    )
    run = discover(texts, ids=ids, previous=first_run.model, curation=curation)
    present = {t.id for t in run.model.themes}
    assert third.id not in present
    assert second.id in present
    merged = run.model.theme(second.id)
    assert merged is not None
    assert merged.hidden
    assert big.id not in present
    children = [t for t in run.model.themes if t.split_from == big.id]
    assert len(children) == 2
    # a move to a theme that was split away does not bring it back
    assert run.assignments[ids.index(moved_item)] != big.id
    # Curation is idempotent: applying it again to the result changes nothing.
    again = discover(texts, ids=ids, previous=run.model, curation=curation)
    assert third.id not in {t.id for t in again.model.themes}
    assert len([t for t in again.model.themes if t.split_from == big.id]) == 2


def test_a_moved_example_stays_where_the_analyst_put_it(signals, first_run):
    texts = [s.text for s in signals]
    ids = [s.external_id for s in signals]
    a, b = sorted(first_run.model.themes, key=lambda t: -t.size)[:2]
    item = next(i for i, t in zip(ids, first_run.assignments, strict=True) if t == a.id)
    run = discover(texts, ids=ids, previous=first_run.model, curation=Curation(moves={item: b.id}))
    assert run.assignments[ids.index(item)] == b.id


def test_embeddings_plug_in_joins_the_text_features(signals):
    texts = [s.text for s in signals[:400]]
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(len(texts), 16)).astype(np.float32)
    run = discover(texts, embeddings=vectors)
    assert run.model.embedding_dim == 16
    labels, _ = assign(run.model, texts[:50], embeddings=vectors[:50])
    assert labels.shape == (50,)
    model = ThemeModel.from_json(run.model.to_json())
    assert model.embedding_dim == 16


def test_tiny_and_empty_collections_do_not_crash():
    assert len(discover([]).assignments) == 0
    run = discover(["een", "twee"])
    assert list(run.assignments) == [UNASSIGNED, UNASSIGNED]
