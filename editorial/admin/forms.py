"""The forms of the admin's move pages: each collects what one workflow service needs, and no more."""

from django import forms
from django.conf import settings

from editorial.admin.display import approved_revision_label
from editorial.corrections import SUMMARY_MAX_LENGTH, ChangeType, change_note_problems
from editorial.models import (
    MAX_REVIEW_INTERVAL_MONTHS,
    ArticleWorkflow,
)
from editorial.selectors import approved_revisions


class SubmitForm(forms.Form):
    """What the board reviews besides the words: the kind of change, what readers are told of it, and a note."""

    change_type = forms.ChoiceField(
        label="Kind of change",
        choices=ChangeType.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what kind of change this is: a correction of an error, a clinical update, "
            "or editorial changes only."
        },
        help_text="A correction fixes something the live answer got wrong; a clinical update follows new "
        "evidence or guidance; editorial changes leave the advice as it was. The board approves the choice.",
    )
    change_summary = forms.CharField(
        label="Summary for readers",
        required=False,
        max_length=SUMMARY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required for a correction or a clinical update: one or two plain sentences, shown to readers "
        "once the board approves this revision (at the top of a corrected answer, in its change history and "
        "in the feed).",
    )
    note = forms.CharField(
        label="Note for the reviewers",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: what changed and why. Never shown to readers.",
    )

    def clean(self):
        data = super().clean()
        if "change_type" in data and "change_summary" in data:
            for name, problem in change_note_problems(data["change_type"], data["change_summary"]).items():
                self.add_error(name, problem)
        return data


def _internal_reason(label):
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded in the audit log and shown to editors; never to readers.",
    )


def _public_reason():
    return forms.CharField(
        label="Reason for readers",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One or two plain sentences, shown to readers on the notice that replaces the article.",
    )


class WithdrawForm(forms.Form):
    reason = _internal_reason("Reason for withdrawal")
    public_reason = _public_reason()


class HoldForm(forms.Form):
    revision = forms.IntegerField(required=False, widget=forms.HiddenInput)  # the live revision the holder read
    reason = _internal_reason("Reason for the hold")
    public_reason = _public_reason()


class ReleaseForm(forms.Form):
    reason = _internal_reason("Reason for releasing the hold")


class RestoreForm(forms.Form):
    """Choose one of the article's revisions the board approved; its words are submitted anew."""

    revision = forms.TypedChoiceField(
        label="Revision to restore", coerce=int, widget=forms.RadioSelect, help_text="Revisions the board approved."
    )
    change_type = forms.ChoiceField(
        label="Kind of change",
        required=False,
        choices=[("", "As the restored revision was classified"), *ChangeType.choices],
        help_text="Readers are told what the restored revision said of its change unless you choose anew: "
        "bringing back words readers were shown before may itself correct an error.",
    )
    change_summary = forms.CharField(
        label="Summary for readers",
        required=False,
        max_length=SUMMARY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when you choose a correction or a clinical update above.",
    )
    note = forms.CharField(
        label="Note for the reviewers",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: why these words are coming back. The revision notes which one it restores.",
    )

    def clean(self):
        data = super().clean()
        if data.get("change_type") and "change_summary" in data:
            for name, problem in change_note_problems(data["change_type"], data["change_summary"]).items():
                self.add_error(name, problem)
        return data

    def __init__(self, *args, article, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revision"].choices = [
            (approved.revision.number, approved_revision_label(approved)) for approved in approved_revisions(article)
        ]


class RereviewForm(forms.Form):
    note = forms.CharField(
        label="Note for the reviewers",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: why the board should look at these words again now.",
    )


def _moment_field(label, help_text):
    """A date and time typed in the site's time zone (the browser's own picker, no script of ours)."""
    return forms.DateTimeField(
        label=label,
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=help_text,
    )


class ScheduleForm(forms.Form):
    """The article's whole schedule: each value replaces the one before, and an empty one clears it.

    The workflow judges the values (`article_schedule`): a past time, an expiry
    before go-live and an interval out of range come back as its sentence.
    """

    go_live_at = _moment_field(
        "Go live on",
        "Empty: the revision goes live as soon as the board approves it.",
    )
    expires_at = _moment_field(
        "Expires on",
        "Then readers see a notice instead of the words, unless a re-review reaches quorum first. Empty: no expiry.",
    )
    review_interval_months = forms.IntegerField(
        label="Review every (months)",
        required=False,
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_REVIEW_INTERVAL_MONTHS}),
    )
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional: recorded in the audit log with the schedule.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default = settings.EDITORIAL_REVIEW_INTERVAL_MONTHS
        self.fields["review_interval_months"].help_text = (
            f"From 1 to {MAX_REVIEW_INTERVAL_MONTHS}. Empty: the site default, every {default} months. "
            "A change moves the next review date, counted from the last review."
        )


def schedule_of(workflow: ArticleWorkflow | None) -> dict:
    """The schedule as it stands, to start the form from: submitting it unchanged keeps it."""
    if workflow is None:
        return {}
    return {
        "go_live_at": workflow.go_live_at,
        "expires_at": workflow.expires_at,
        "review_interval_months": workflow.review_interval_months,
    }
