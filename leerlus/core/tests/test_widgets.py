# SPDX-License-Identifier: EUPL-1.2
import re

from django import forms

from leerlus.core.widgets import CheckboxList

CHOICES = [(1, "Uploaden"), (2, "Afval & <containers>"), (3, "Paspoort")]


def _normalised(html: str) -> str:
    """White space between tags does not show; inside them it does."""
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


def test_the_checkbox_list_renders_what_django_renders():
    attrs = {"id": "id_others", "aria-describedby": "id_others-help", "aria-invalid": "true"}
    ours = CheckboxList(attrs=attrs, choices=CHOICES).render("others", [1, 3])
    django = forms.CheckboxSelectMultiple(attrs=attrs, choices=CHOICES).render("others", [1, 3])

    assert _normalised(str(ours)) == _normalised(str(django))
    assert str(ours).count(" checked") == 2
    assert "Afval &amp; &lt;containers&gt;" in str(ours)
