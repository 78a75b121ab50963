# SPDX-License-Identifier: EUPL-1.2
"""Routing: training, prediction, calibration, the unsure queue and serialisation."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leerlus.demo.feedback_generator import generate_feedback
from leerlus.engine.routing import (
    FORMAT,
    Prediction,
    RoutingModel,
    RoutingSettings,
    expected_calibration_error,
    macro_f1,
    predict,
    predict_proba,
    train,
)

FAST = RoutingSettings(c_grid=(4.0,), svm_c_grid=(0.3,), blends=(0.0, 0.5, 1.0))


@cache
def _demo() -> tuple[list[str], list[str], list[date]]:
    signals = list(generate_feedback(start=date(2024, 1, 1), days=120, mean_per_day=15.0))
    return (
        [s.text for s in signals],
        [s.department for s in signals],
        [s.received_at.date() for s in signals],
    )


@cache
def _model() -> RoutingModel:
    texts, labels, dates = _demo()
    return train(texts[:1200], labels[:1200], dates=dates[:1200], settings=FAST)


def test_routes_demo_feedback_to_departments() -> None:
    texts, labels, _ = _demo()
    model = _model()
    predictions = predict(model, texts[1200:])
    assert len(predictions) == len(texts) - 1200
    assert all(isinstance(p, Prediction) for p in predictions)
    assert macro_f1(labels[1200:], [p.label for p in predictions]) > 0.7
    assert set(model.labels) == set(labels[:1200])


def test_confidence_is_calibrated_and_unsure_flags_the_low_ones() -> None:
    texts, labels, _ = _demo()
    model = _model()
    predictions = predict(model, texts[1200:])
    confidence = np.array([p.confidence for p in predictions])
    correct = np.array([p.label == t for p, t in zip(predictions, labels[1200:], strict=True)])
    assert expected_calibration_error(confidence, correct) < 0.1
    unsure = np.array([p.unsure for p in predictions])
    assert all(p.unsure == (p.confidence < model.unsure_below) for p in predictions)
    if unsure.sum() >= 10 and (~unsure).sum() >= 10:
        assert correct[~unsure].mean() > correct[unsure].mean()


def test_predictions_are_tuples_of_label_confidence_unsure() -> None:
    label, confidence, unsure = predict(_model(), ["Mijn paspoort is verlopen"])[0]
    assert isinstance(label, str)
    assert 0.0 <= confidence <= 1.0
    assert isinstance(unsure, bool)


def test_probabilities_sum_to_one() -> None:
    proba = predict_proba(_model(), ["afval niet opgehaald", "", "???"])
    assert proba.shape == (3, len(_model().labels))
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert predict(_model(), []) == []


def test_serialisation_round_trip_without_pickle() -> None:
    model = _model()
    data = model.to_bytes()
    restored = RoutingModel.from_bytes(data)
    texts = _demo()[0][1200:1300]
    assert predict(restored, texts) == predict(model, texts)
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        header = json.loads(archive["header"].tobytes())
        assert all(archive[name].dtype != object for name in archive.files)
    assert header["format"] == FORMAT


def test_from_bytes_refuses_what_is_not_a_model() -> None:
    with pytest.raises(ValueError, match="not a routing model"):
        RoutingModel.from_bytes(b"not a model at all")
    buffer = io.BytesIO()
    np.savez(buffer, header=np.frombuffer(b'{"format": "other"}', dtype=np.uint8))
    with pytest.raises(ValueError, match="not a routing model"):
        RoutingModel.from_bytes(buffer.getvalue())


def test_two_labels_and_a_tiny_training_set() -> None:
    texts = ["paspoort verlopen", "paspoort aanvragen", "afval niet opgehaald", "container vol"]
    model = train(texts * 3, ["burgerzaken", "burgerzaken", "afval", "afval"] * 3, settings=FAST)
    assert predict(model, ["mijn paspoort"])[0].label == "burgerzaken"
    assert predict(model, ["de container"])[0].label == "afval"


def test_train_refuses_bad_examples() -> None:
    with pytest.raises(ValueError, match="at least two labels"):
        train(["a", "b"], ["x", "x"])
    with pytest.raises(ValueError, match="fewer than 2 examples"):
        train(["a", "b", "c"], ["x", "x", "y"])
    with pytest.raises(ValueError, match="same length"):
        train(["a"], ["x", "y"])


def test_the_validation_split_is_the_latest_by_date() -> None:
    texts, labels, dates = _demo()
    shuffled = list(range(600))
    np.random.default_rng(0).shuffle(shuffled)
    model = train(
        [texts[i] for i in shuffled],
        [labels[i] for i in shuffled],
        dates=[dates[i] for i in shuffled],
        settings=FAST,
    )
    assert model.info["validation"]["examples"] == 120


def test_macro_f1_and_ece_on_known_cases() -> None:
    assert macro_f1(["a", "b"], ["a", "b"]) == 1.0
    assert macro_f1(["a", "a", "b", "b"], ["a", "a", "a", "a"]) == pytest.approx(1 / 3)
    assert expected_calibration_error(np.array([1.0, 1.0]), np.array([1, 1])) == 0.0
    assert expected_calibration_error(np.array([0.9, 0.9]), np.array([0, 0])) == pytest.approx(0.9)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.text(max_size=200), min_size=1, max_size=5))
def test_predict_never_crashes_on_any_text(texts: list[str]) -> None:
    for label, confidence, _ in predict(_model(), texts):
        assert label in _model().labels
        assert 0.0 <= confidence <= 1.0


def test_dates_must_match_the_texts() -> None:
    with pytest.raises(ValueError, match="same length"):
        train(["a", "b"], ["x", "y"], dates=[date(2024, 1, 1) + timedelta(days=1)])
