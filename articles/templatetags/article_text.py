from django import template

from articles.rendering import render_inline

register = template.Library()


@register.filter
def inline_markdown(text):
    """Render a claim's inline Markdown (bold, italic, links) as safe HTML."""
    return render_inline(text)


@register.filter
def reference_kind(value):
    """Name a reference kind as readers read it ("Systematic review")."""
    from references.models import Reference

    try:
        return Reference.Kind(value).label
    except ValueError:
        return Reference.Kind.OTHER.label
