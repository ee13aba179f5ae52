"""Two editors on one article: what a save from an older version is told, and what it keeps.

The article admin refuses a save based on an older version of the article (see
`articles.admin.ArticleForm`). Before the form is built, `without_rows_gone` takes out of the
posted data the rows someone removed meanwhile; when the conflict page is drawn,
`merge_their_changes` carries the other changes into every field the editor left alone, so
that saving the conflict form again keeps both editors' work.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.forms.models import InlineForeignKeyField
from django.http import QueryDict
from django.utils.text import Truncator

from articles.models import Article, Citation, Claim, Section
from articles.selectors import rows_as_of

VERSION_FIELDS = ("loaded_version", "loaded_at")


@dataclass(frozen=True)
class EditConflict:
    """A save based on `loaded_version` of an article that is now at `version`."""

    loaded_version: int | None
    loaded_at: datetime | None
    version: int


NEVER_MERGED = ("id", "order", "DELETE", *VERSION_FIELDS)
CHILD_MODELS = {"sections": Section, "claims": Claim, "citations": Citation}
POSTED_ROW_ID = re.compile(r"^(?P<formset>(?:.+-)?(?P<kind>sections|claims|citations))-(?P<index>\d+)-id$")


def without_rows_gone(data: QueryDict) -> tuple[QueryDict, list[str]]:
    """Take out of a posted article form the saved rows that someone removed after it was loaded.

    The admin cannot show a form for a row that no longer exists, and would refuse the
    whole formset for it. Return the data without those rows (later rows renumbered, the
    counts lowered) and the headings and wording typed in them, for the conflict page.
    """
    posted = {}
    for key, value in data.items():
        if (match := POSTED_ROW_ID.match(key)) and value.isdigit():
            posted[(match["formset"], int(match["index"]))] = (CHILD_MODELS[match["kind"]], value)
    existing = set()
    for model in CHILD_MODELS.values():
        pks = [pk for row_model, pk in posted.values() if row_model is model]
        existing |= {(model, str(pk)) for pk in model._default_manager.filter(pk__in=pks).values_list("pk", flat=True)}
    gone = [row for row, model_and_pk in posted.items() if model_and_pk not in existing]
    words = [
        value
        for formset, index in gone
        if not any(formset.startswith(f"{other}-{other_index}-") for other, other_index in gone)
        for key, value in data.items()
        if key.startswith(f"{formset}-{index}-") and key.endswith(("-heading", "-text")) and value.strip()
    ]
    # Deepest first, and from the end of each formset, so that renumbering never moves a row still to drop.
    for formset, index in sorted(gone, key=lambda row: (-row[0].count("-"), row[0], -row[1])):
        data = _without_form(data, formset, index)
    return data, words


def _without_form(data: QueryDict, formset: str, index: int) -> QueryDict:
    """Drop form `index` of `formset` (with its nested forms) and move the later forms up by one."""
    row_key = re.compile(rf"^{re.escape(formset)}-(\d+)-")
    result = QueryDict(mutable=True)
    for key, values in data.lists():
        if (match := row_key.match(key)) and int(match[1]) >= index:
            if int(match[1]) == index:
                continue
            key = f"{formset}-{int(match[1]) - 1}-{key[match.end() :]}"
        elif key in (f"{formset}-TOTAL_FORMS", f"{formset}-INITIAL_FORMS"):
            values = [str(int(values[0]) - 1)]
        result.setlist(key, values)
    return result


def merge_their_changes(form, inline_admin_formsets, since: datetime) -> list[str]:
    """Carry what others saved after `since` into the fields of a refused form that its editor left alone.

    For the article and each section, claim and citation the form shows: a field the editor
    did not change takes its current value; a field both changed keeps the editor's words
    and is named in the returned list. Positions are left as the editor has them, and rows
    others added or removed are not in the form: the conflict page lists them.
    """
    forms_by_model = {Article: [form]}
    for child in _child_forms(inline_admin_formset.formset for inline_admin_formset in inline_admin_formsets):
        forms_by_model.setdefault(type(child.instance), []).append(child)
    clashes = []
    for model, model_forms in forms_by_model.items():
        bases = rows_as_of(model, [f.instance.pk for f in model_forms], since)
        for model_form in model_forms:
            if model_form.instance.pk in bases:
                clashes += _merge_form(model_form, bases[model_form.instance.pk])
    return clashes


def _child_forms(formsets):
    """The forms of saved sections, claims and citations that the editor did not mark for deletion."""
    for formset in formsets:
        for index, child in enumerate(formset.forms):
            if index < formset.initial_form_count() and child.instance.pk and not formset._should_delete_form(child):
                yield child
                yield from _child_forms(getattr(child, "nested_formsets", []))


def _merge_form(form, base) -> list[str]:
    """Take the current value of each field the editor left as it was at `base`; name the fields both changed."""
    data, clashes = form.data.copy(), []
    for name, field in form.fields.items():
        if name in NEVER_MERGED or isinstance(field, InlineForeignKeyField) or name not in form.initial:
            continue
        before, current = base.serializable_value(name), form.initial[name]
        typed = field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
        if before == current:
            continue
        if not field.has_changed(before, typed):
            data[form.add_prefix(name)] = "" if current is None else str(current)
        elif field.has_changed(current, typed):
            clashes.append(f"{field.label} of {_part_name(form.instance, base)}")
    form.data = data
    return clashes


def _part_name(instance, base) -> str:
    if isinstance(instance, Article):
        return "the article"
    if isinstance(instance, Section):
        return f"the section “{base.heading}”"
    if isinstance(instance, Claim):
        return f"the claim “{Truncator(base.text).chars(60)}”"
    return "a citation"
