# SPDX-License-Identifier: EUPL-1.2
"""Names: capitalised (or, after a strong cue, lower-case) names after a cue such as "mijn naam
is", "dhr.", "mevrouw", "Mr." or a letter's closing, and names before an e-mail address in
angle brackets. Returns candidates (start, end, "NAAM")."""

from __future__ import annotations

import re
from typing import Final

from .common import UPPER, Candidate, words

_NAME_CUE_RE: Final = re.compile(
    r"\b(?:"  # every cue starts a word; checking that first keeps the scan fast
    r"(?P<strong>\b(?:(?:mijn|zijn|haar|my|his|her)[ \t]+(?:naam|name)[ \t]+(?:is|was)"
    r"|ik[ \t]+heet|my[ \t]+name's)\b)"
    r"|(?P<inline>"
    r"\b(?:(?:hallo|hoi|goedemorgen|goedemiddag|goedenavond|dag)[ \t]*,?[ \t]+met"
    r"|ik[ \t]+ben|de[ \t]+heer|meneer|mevrouw|juffrouw|heer|familie|beste|geachte|dear"
    r"|hallo|hoi|ten[ \t]+name[ \t]+van)\b"
    r"|\bt\.[ \t]?n\.[ \t]?v\.|\btnv\b"
    r"|(?-i:\bI[ \t]+am\b|\bI'm\b)"
    r"|(?-i:\b(?:[Dd]hr|[Mm]evr|[Mm]w|[Ff]am|Mr|Mrs|Ms|Miss|Dr|[Dd]rs|[Ii]r|[Pp]rof|[Mm]ej)\b\.?)"
    r"|(?-i:\b(?:ing|mr|dr)\.)"
    r")"
    r"|(?P<this>\bthis[ \t]+is\b)"
    r"|(?P<label>\b(?:(?:voor|achter|roep|volledige[ \t]+)?naam|(?:first|last|full|sur)?[ \t]?name"
    r"|contactpersoon|contact[ \t]+person|aanvrager|melder|ondergetekende|applicant|van|from"
    r"|afzender|sender|(?:contact|persoons|klant)?gegevens|(?:contact[ \t]+)?details)[ \t]*:)"
    r"|(?P<closing>(?:\bmet[ \t]+)?(?:\bvriendelijke[ \t]+)?\bgroet(?:en|jes)?(?:[ \t]+van)?\b"
    r"|\bmvg\b"
    r"|\bm\.v\.g\.?|\bgr\.|\bgr\b(?=[ \t]*,)|\bhoogachtend\b"
    r"|\b(?:kind|best|warm)[ \t]+regards\b|\bregards\b"
    r"|\b(?:yours[ \t]+)?sincerely\b|\byours[ \t]+faithfully\b)"
    r"|(?P<thanks>\b(?:thanks|thank[ \t]+you|cheers|dank[ \t]+u|bedankt|alvast[ \t]+bedankt)"
    r"(?=[ \t]*(?:,|!|\r?\n))))",
    re.IGNORECASE,
)
_AFTER_CUE: Final[dict[str, re.Pattern[str]]] = {
    "strong": re.compile(r"[ \t\u00a0]*:?[ \t\u00a0]*"),
    "inline": re.compile(r"[ \t\u00a0]+"),
    "this": re.compile(r"[ \t\u00a0]+"),
    "label": re.compile(r"[ \t\u00a0]*"),
    "closing": re.compile(r"[ \t]*[,.!:]?[ \t]*(?:\r?\n[ \t]*){0,2}"),
    "thanks": re.compile(r"[ \t]*[,!]?[ \t]*(?:\r?\n[ \t]*){0,2}"),
}
_NAME_TOKEN_RE: Final = re.compile(
    rf"[ \t\u00a0]*(?:(?P<initial>[{UPPER}]\.)(?![a-z\u00df-\u00ff])"
    r"|(?P<word>'t|'s|[dDlL]'(?=[^\W\d_])|[^\W\d_](?:[^\W\d_]|['\u2019-](?=[^\W\d_]))*))"
)
_TUSSENVOEGSELS: Final[frozenset[str]] = words(
    """
    van de der den ter ten te 't la le du da di del della dos das el al von zu vd v.d. d' l'
    """
)
_TUSSEN_ONLY_INSIDE: Final[frozenset[str]] = frozenset({"in", "op", "het", "'t", "'s"})
# Capitalised words that follow a cue but are not names.
_NOT_A_NAME: Final[frozenset[str]] = words(
    """
    het een ik wij we ze zij hij u jij je die dat deze dit er hier daar niet geen ook nog wel al
    echt erg heel zeer zo nu dan maar en of want dus als the a an i it this that you he she they
    not no yes ja nee ok oke okay gemeente municipality council city team afdeling department
    kcc klantcontactcentrum burgerzaken balie loket receptie medewerker medewerkster collega
    collegas sir madam mevrouw meneer heer dame heren dames allen allemaal iedereen everyone all
    there hello hi hallo beste dear geachte bedankt dank thanks thank maandag dinsdag woensdag
    donderdag vrijdag zaterdag zondag monday tuesday wednesday thursday friday saturday sunday
    januari februari maart april mei juni juli augustus september oktober november december
    january february march may june july august october nederlander nederlandse nederlands dutch
    english engels brit british duitser duits turks marokkaans surinaams pools ondernemer zzp'er
    zzper student studente gepensioneerd mantelzorger bewoner bewoners inwoner inwoners eigenaar
    huurder huurders vader moeder ouder ouders buurman buurvrouw klant customer resident citizen
    digid mijnoverheid whatsapp google facebook twitter bank ing rabobank abn amro postnl happy
    blij boos teleurgesteld verbaasd disappointed frustrated angry writing contacting sorry
    tevreden ontevreden woedend geschokt benieuwd bang bezorgd zwanger ziek gehandicapt invalide
    werkloos dakloos zelfstandige vrijwilliger writing calling emailing still very really so wmo
    uwv svb cak belastingdienst politie rijksoverheid overheid wethouder burgemeester college
    raad staff support helpdesk servicedesk klantenservice mr mrs ms miss dr drs ir ing prof dhr
    mevr mw fam mej sir polish german turkish moroccan syrian ukrainian french spanish italian
    portuguese american indian chinese belgian european eritrean afghan iraqi somali syrisch
    oekraiens oekraïens belg belgisch frans spaans italiaans amerikaans europees eritrees
    afghaans somalisch indiaas chinees expat immigrant refugee vluchteling statushouder nieuw
    new here also alone still vegan mama papa opa oma
    """
)


def _is_capitalised(word: str) -> bool:
    return word[0].isupper() and not (len(word) > 1 and word.isupper())


def _name_end(text: str, pos: int) -> int | None:
    """End offset of a capitalised name that starts at ``pos``, or None when there is none."""
    tokens: list[tuple[str, str, int, int]] = []  # (type, lowered word, start, end)
    cursor = pos
    while len(tokens) < 10:
        m = _NAME_TOKEN_RE.match(text, cursor)
        if m is None:
            break
        if m.group("initial") is not None:
            tokens.append(("initial", m.group("initial"), m.start("initial"), m.end("initial")))
        else:
            word = m.group("word")
            tokens.append(("word", word, m.start("word"), m.end("word")))
        cursor = m.end()

    def is_tussen(i: int) -> bool:
        return tokens[i][0] == "word" and tokens[i][1].lower() in _TUSSENVOEGSELS

    def is_name_word(i: int) -> bool:
        kind, word, _, _ = tokens[i]
        return (
            kind == "word"
            and _is_capitalised(word)
            and word.lower() not in _NOT_A_NAME
            and word.lower() not in _TUSSENVOEGSELS
        )

    i, end, name_words = 0, None, 0
    while i < len(tokens) and tokens[i][0] == "initial":
        i += 1
    while i < len(tokens) and name_words < 4 and is_name_word(i):
        end = tokens[i][3]
        name_words += 1
        i += 1
    # one group of tussenvoegsels followed by a capitalised surname: "van der Berg", "De Vries"
    j = i
    while j < len(tokens) and j - i < 4:
        word = tokens[j][1].lower()
        if (
            is_tussen(j)
            or (j > i and word in _TUSSEN_ONLY_INSIDE)
            or (
                tokens[j][0] == "word"
                and word in {"in", "op"}
                and j + 1 < len(tokens)
                and (is_tussen(j + 1) or tokens[j + 1][1].lower() in _TUSSEN_ONLY_INSIDE)
            )
        ):
            j += 1
        else:
            break
    if j > i and j < len(tokens) and is_name_word(j):
        end = tokens[j][3]
        name_words += 1
    if name_words == 0:
        return None
    return end


# Lower-case words that, after "mijn naam is" / "naam:", say something about the name rather
# than being one ("mijn naam is verkeerd gespeld").
_NOT_A_LOWER_NAME: Final[frozenset[str]] = _NOT_A_NAME | words(
    """
    is was wordt werd staat stond klopt niet nog steeds verkeerd fout foutief onjuist anders
    bekend onbekend gewijzigd veranderd aangepast goed juist correct verkeerde gespeld
    geschreven vermeld hetzelfde gelijk ook al wel niks niets nergens helaas eigenlijk overal op
    in bij met voor na naar om uit over door aan tot en of maar want dus omdat toen als hier
    daar mijn zijn haar onze uw hun jullie the and or but with on at for to from of by wrong
    misspelled spelled incorrect changed different still also known unknown listed written shown
    same
    """
)
_LOWER_WORD_RE: Final = re.compile(r"[ \t\u00a0]*([^\W\d_]+(?:['\u2019-][^\W\d_]+)*)")


def _lower_name_end(text: str, pos: int) -> int | None:
    """A name typed in lower case after a strong cue: "mijn naam is piet jansen en ..."."""
    end, words, cursor = None, 0, pos
    while words < 4:
        m = _LOWER_WORD_RE.match(text, cursor)
        if m is None:
            break
        word = m.group(1).lower()
        if word in _TUSSENVOEGSELS or word in _TUSSEN_ONLY_INSIDE:
            if end is None and word not in _TUSSENVOEGSELS:
                break
        elif word in _NOT_A_LOWER_NAME or len(word) < 2:
            break
        else:
            end = m.end(1)
            words += 1
        cursor = m.end()
    return end


_AFTER_THIS_IS_RE: Final = re.compile(
    r"[ \t]*(?:[,.!;:)]|$|\b(?:from|of|at|speaking|here|and)\b)", re.IGNORECASE | re.MULTILINE
)
_ANGLE_ADDRESS_RE: Final = re.compile(r"<[ \t]*[\w.+%'-]+(?:@|\(at\))")


def find_names(text: str) -> list[Candidate]:
    found: list[Candidate] = []
    for m in _NAME_CUE_RE.finditer(text):
        group = m.lastgroup
        if group is None:
            continue
        gap = _AFTER_CUE[group].match(text, m.end())
        start = gap.end() if gap is not None else m.end()
        if group == "inline" and start == m.end():
            continue  # "Dhr.Jansen" is fine only with the dot: the cue needs a space otherwise
        end = _name_end(text, start)
        if end is None and group in {"strong", "label"}:
            end = _lower_name_end(text, start)
        if end is not None and group == "this" and not _AFTER_THIS_IS_RE.match(text, end):
            continue  # "this is Tom Bakker from ..." but not "this is Utrecht calling"
        if end is not None:
            found.append((start, end, "NAAM"))
    # mail headers and signatures: "Jan Jansen <jan@example.nl>"
    for m in _ANGLE_ADDRESS_RE.finditer(text):
        seg_end = m.start()
        while seg_end > 0 and text[seg_end - 1] in " \t\"'":
            seg_end -= 1
        seg_start = max(text.rfind(ch, 0, seg_end) for ch in "\n:;,(<>") + 1
        while seg_start < seg_end and text[seg_start] in " \t\"'":
            seg_start += 1
        if seg_start < seg_end and _name_end(text, seg_start) == seg_end:
            found.append((seg_start, seg_end, "NAAM"))
    return found
