"""Template filters that render Django form fields as NHS.UK form components.

The templates in ``workspace/fields/`` write the NHS.UK markup by hand; these filters give them
what Django does not: which component a field is, the id its error-summary link points at, the
value of each date box and the hint of a checkbox or radio option.
"""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.forms.utils import flatatt
from django.utils.safestring import SafeString

from imheval.web.workspace.forms import DayMonthYearWidget

register = template.Library()


@register.filter
def field_kind(field: forms.BoundField) -> str:
    """ "date", "checkbox" (a single yes or no), "checkboxes", "radios", "file" or "input"."""
    widget = field.field.widget
    if isinstance(widget, DayMonthYearWidget):
        return "date"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.FileInput):
        return "file"
    return "input"


@register.filter
def anchor(field: forms.BoundField) -> str:
    """The id of the element an error-summary link for this field should move to."""
    kind = field_kind(field)
    if kind == "date":
        return f"{field.auto_id}-day"
    if kind in {"checkboxes", "radios"}:
        return f"{field.auto_id}_0"
    return str(field.auto_id)


@register.filter
def input_value(field: forms.BoundField) -> str:
    """What a text box shows: what was typed, or the saved value."""
    value = field.field.widget.format_value(field.value())
    return "" if value is None else str(value)


@register.filter
def date_parts(field: forms.BoundField) -> list[dict[str, Any]]:
    """The day, month and year boxes of a date field: part, id, name, value and width."""
    widget = field.field.widget
    values = widget.format_value(field.value())
    return [
        {
            "part": part,
            "id": f"{field.auto_id}-{part}",
            "name": f"{field.html_name}-{part}",
            "value": value,
            "width": 4 if part == "year" else 2,
        }
        for part, value in zip(widget.parts, values, strict=True)
    ]


@register.filter
def item_hint(field: forms.BoundField, value: Any) -> str:
    """The hint under one checkbox or radio option (from the form field's ``item_hints``)."""
    hints = getattr(field.field, "item_hints", None) or {}
    return str(hints.get(str(value), ""))


@register.filter
def extra_attrs(field: forms.BoundField) -> SafeString:
    """The widget's other HTML attributes (inputmode, spellcheck ...), escaped."""
    attrs = {k: v for k, v in field.field.widget.attrs.items() if k != "class"}
    return flatatt(attrs)


@register.filter
def width_class(field: forms.BoundField) -> str:
    return str(field.field.widget.attrs.get("class", "nhsuk-u-width-two-thirds"))
