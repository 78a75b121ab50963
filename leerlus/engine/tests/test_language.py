# SPDX-License-Identifier: EUPL-1.2
from hypothesis import given
from hypothesis import strategies as st

from leerlus.engine.language import detect_language, dominant_language, language_mix


def test_detects_dutch_and_english():
    assert detect_language("De container is niet geleegd en ik wacht al een week") == "nl"
    assert detect_language("The bin was not emptied and I have been waiting for a week") == "en"


def test_unknown_when_there_is_no_evidence():
    assert detect_language("Paspoort") == ""
    assert language_mix("") == ""


def test_mixed_needs_real_evidence_of_both():
    mixed = "Ik heb een vraag over mijn vergunning but the website does not work for me"
    assert language_mix(mixed) == "mixed"
    assert language_mix("De website werkt niet en ik kan niet betalen") == "nl"


def test_dominant_language_of_a_collection():
    texts = ["de afvalbak is vol", "het paspoort is klaar", "the bin is full"]
    assert dominant_language(texts) == "nl"
    assert dominant_language(["12", "!!"]) == ""


@given(st.text())
def test_language_functions_never_crash(text):
    assert detect_language(text) in ("nl", "en", "")
    assert language_mix(text) in ("nl", "en", "mixed", "")
