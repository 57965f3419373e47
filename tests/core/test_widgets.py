import re

import pytest
from django import forms

from cchc_inspection.widgets import LongSelect
from units.models import Unit


def _options(html: str) -> list[str]:
    return re.findall(r"<option[^>]*>[^<]*</option>", html)


@pytest.mark.django_db
@pytest.mark.parametrize("selected", [None, "first"])
def test_long_select_renders_the_options_of_djangos_select(ha_nam, selected):
    units = Unit.objects.filter(kind=Unit.Kind.DISTRICT).order_by("pk")
    value = units.first().pk if selected else None
    ours = forms.ModelChoiceField(queryset=units, required=False, empty_label="Tất cả <&>", widget=LongSelect)
    django_s = forms.ModelChoiceField(queryset=units, required=False, empty_label="Tất cả <&>")

    html = ours.widget.render("parent", value, {"id": "id_parent", "class": "form-select"})

    assert _options(html) == _options(django_s.widget.render("parent", value, {"id": "id_parent"}))
    assert html.startswith('<select name="parent" ')
    assert 'id="id_parent"' in html and 'class="form-select"' in html
    assert "Tất cả &lt;&amp;&gt;" in html
    assert html.count(" selected") == 1
