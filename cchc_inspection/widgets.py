"""Form widgets shared by the apps."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class LongSelect(forms.Select):
    """A single <select> whose options are written in Python rather than through one template each.

    Django renders every option through two templates (about 0.1 ms each); the registry's departments
    and districts at national scale are 1,839 options, which made the unit list's filter cost more
    than the rest of the page (bench/run, 3a). Same HTML as forms.Select, without option groups.
    """

    def render(self, name, value, attrs=None, renderer=None):
        selected = set(self.format_value(value))
        options = []
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):  # option groups: Django's own rendering
                return super().render(name, value, attrs, renderer)
            option_value = "" if option_value is None else str(option_value)
            options.append((option_value, " selected" if option_value in selected else "", label))
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            format_html_join("", '<option value="{}"{}>{}</option>', options),
        )
