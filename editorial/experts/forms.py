"""Forms of expert links: the managing editor's invitation, and the expert's comment."""

from django import forms
from django.conf import settings

from editorial.experts.services import MAX_DAYS
from editorial.models import ClaimNote

WHOLE_ARTICLE = ""


class ExpertLinkForm(forms.Form):
    """Who the expert is, what they declare, which revision they read and for how long.

    `current_seen` carries the revision in review when the form was drawn: a
    form sent after another revision replaced it is stale (409).
    """

    revision = forms.TypedChoiceField(label="Revision the expert reads", coerce=int)
    name = forms.CharField(label="Expert's name", max_length=120)
    credentials = forms.CharField(
        label="Credentials", max_length=120, required=False, help_text="For example “MD, PhD, consultant nephrologist”."
    )
    email = forms.EmailField(label="Expert's email", help_text="The link is sent here, and shown to you once.")
    conflict_statement = forms.CharField(
        label="Conflict-of-interest statement",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="In the expert's words: their interests in this topic, or that they declared none.",
        error_messages={"required": "Record the expert's own declaration of interests, or that they declared none."},
    )
    days = forms.IntegerField(
        label="Days the link opens", min_value=1, max_value=MAX_DAYS, help_text=f"From 1 to {MAX_DAYS} days."
    )
    current_seen = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, revisions=(), current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revision"].choices = [
            (revision.number, _revision_label(revision, current)) for revision in revisions
        ]
        self.fields["days"].initial = settings.EXPERT_LINK_DAYS
        self.fields["revision"].initial = current.number if current else None
        self.fields["current_seen"].initial = current.number if current else None

    def clean_name(self):
        return _not_blank(self.cleaned_data["name"], "Write the expert's name.")

    def clean_conflict_statement(self):
        return _not_blank(
            self.cleaned_data["conflict_statement"],
            "Record the expert's own declaration of interests, or that they declared none.",
        )


def _revision_label(revision, current) -> str:
    label = f"Revision {revision.number} of {revision.created_at:%d %b %Y}"
    return f"{label} (in review now)" if current is not None and revision.pk == current.pk else label


def _not_blank(value: str, message: str) -> str:
    if not value.strip():
        raise forms.ValidationError(message)
    return value.strip()


class ExpertCommentForm(forms.Form):
    """The expert's comment: on one claim or on the whole article, with a flag, naming the words they read."""

    content_hash = forms.CharField(widget=forms.HiddenInput)
    claim_uid = forms.ChoiceField(
        label="About",
        required=False,
        error_messages={"invalid_choice": "That claim is not in this revision. Choose one from the list."},
    )
    flag = forms.ChoiceField(label="Flag", choices=ClaimNote.Flag.choices, initial=ClaimNote.Flag.NOTE)
    text = forms.CharField(
        label="Your comment",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write your comment before sending it."},
    )

    def __init__(self, *args, claims=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["claim_uid"].choices = [(WHOLE_ARTICLE, "The article as a whole"), *claims]

    def clean_text(self):
        return _not_blank(self.cleaned_data["text"], "Write your comment before sending it.")
