"""The threads page's forms. Each names the revision on screen, so a reply or resolution says what was read."""

from django import forms

from editorial.models import ClaimNote


class ReplyForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    flag = forms.ChoiceField(
        label="Flag",
        choices=ClaimNote.Flag.choices,
        initial=ClaimNote.Flag.NOTE,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    text = forms.CharField(
        label="Your reply",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write your reply before sending it."},
    )


class OpenThreadForm(ReplyForm):
    """A new thread: about one claim of the revision on screen, or (no claim chosen) the whole article."""

    claim_uid = forms.ChoiceField(label="About", required=False, widget=forms.Select(attrs={"class": "form-select"}))

    field_order = ["revision", "claim_uid", "flag", "text"]

    def __init__(self, *args, claims=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["claim_uid"].choices = [("", "The article as a whole"), *claims]
        self.fields["text"].label = "Your note"
        self.fields["text"].error_messages["required"] = "Write the note before opening the thread."


class ResolveForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    last_seen = forms.IntegerField(widget=forms.HiddenInput, required=False)
