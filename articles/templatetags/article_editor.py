"""Filters for the article editor's own inline templates (admin/articles/article/_inline_*.html)."""

import json
import sys

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

# Characters that must not appear raw inside a single-quoted HTML attribute.
_ATTRIBUTE_ESCAPES = str.maketrans({"&": "&amp;", "'": "&#x27;", "<": "&lt;", ">": "&gt;"})


@register.filter
def json_attribute(value: str) -> str:
    """Re-serialise a JSON string compactly, for a single-quoted attribute.

    nested_admin's formset options are JSON in a double-quoted attribute, where every quote
    becomes `&quot;`: on an article of 20 claims that alone was some 30 KB of the page.
    """
    compact = json.dumps(json.loads(value), separators=(",", ":"), ensure_ascii=False)
    return mark_safe(compact.translate(_ATTRIBUTE_ESCAPES))  # every special character escaped above


@register.filter
def in_position_order(formset) -> list:
    """The formset's forms in the order of their positions, as the editor last arranged them.

    A form whose position is missing or unreadable (a new row) keeps its place after the others.
    """

    def position(form):
        try:
            return int(form["order"].value())
        except (KeyError, TypeError, ValueError):
            return sys.maxsize

    return sorted(formset.forms, key=position)


@register.filter
def draws_new_form_template(inline_admin_formset) -> bool:
    """Whether the template of a new row is drawn in this formset, for "Add another" to copy.

    A nested formset under a saved row (a section's claims) leaves it out: the page carries it
    once, inside the template of a new section, and the editor's script copies it into each
    section before nested_admin looks for it (static/js/article-editor.js). Drawn in every
    section, these copies were over a tenth of the demo article's page.
    """
    if not inline_admin_formset.has_add_permission:
        return False
    formset = inline_admin_formset.formset
    return not getattr(formset, "is_nested", False) or "-empty-" in formset.prefix
