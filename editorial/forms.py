"""The review desk's forms. Each carries the hash of the words on screen, so a stale form changes nothing."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms

from editorial.models import ClaimNote, Reviewer, SignOff

CHECKLIST_LABELS = {
    "claims_accurate": "Every claim is accurate.",
    "citations_support_claims": "The cited references support the claims.",
    "doses_checked": "I checked every dose, including units and frequency.",
    "patient_wording_faithful": "The patient wording says the same as the clinician wording.",
}


class ClaimNoteForm(forms.Form):
    claim_uid = forms.ChoiceField(label="Claim", required=False)
    flag = forms.ChoiceField(label="Flag", choices=ClaimNote.Flag.choices, initial=ClaimNote.Flag.NOTE, required=False)
    text = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, claims=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["claim_uid"].choices = [("", "Choose a claim"), *claims]

    def clean(self):
        data = super().clean()
        if data.get("claim_uid") and not (data.get("text") or "").strip():
            self.add_error("text", "Write the note for this claim, or clear the claim.")
        if (data.get("text") or "").strip() and not data.get("claim_uid"):
            self.add_error("claim_uid", "Choose the claim this note is about.")
        return data

    @property
    def note(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("claim_uid"):
            return None
        return {
            "claim_uid": data["claim_uid"],
            "flag": data["flag"] or ClaimNote.Flag.NOTE,
            "text": data["text"].strip(),
        }


ClaimNoteFormSet = forms.formset_factory(ClaimNoteForm, extra=3, max_num=30)


class DecisionForm(forms.Form):
    """One form, two decisions: the reviewer fills it in and presses Approve or Request changes.

    Approving needs the four attestations; requesting changes needs a comment.
    Either way the form carries the hash of the words on screen and the
    reviewer's conflict-of-interest declaration.
    """

    content_hash = forms.CharField(widget=forms.HiddenInput)
    disclaimer_hash = forms.CharField(widget=forms.HiddenInput, required=False)  # the disclaimer on screen
    claims_accurate = forms.BooleanField(label=CHECKLIST_LABELS["claims_accurate"], required=False)
    citations_support_claims = forms.BooleanField(label=CHECKLIST_LABELS["citations_support_claims"], required=False)
    doses_checked = forms.BooleanField(label=CHECKLIST_LABELS["doses_checked"], required=False)
    patient_wording_faithful = forms.BooleanField(label=CHECKLIST_LABELS["patient_wording_faithful"], required=False)
    conflict = forms.ChoiceField(  # no answer is chosen for the reviewer: an honest declaration is a choice
        label="Conflict of interest for this article",
        choices=SignOff.Conflict.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether you have a conflict of interest for this article."},
    )
    conflict_disclosure = forms.CharField(
        label="Your disclosure",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required if you declare a conflict. It is kept with your sign-off.",
    )
    comment = forms.CharField(
        label="Comment",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required when you request changes: the editor reads it. Optional when you approve.",
    )

    def __init__(self, *args, decision: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision = decision
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "content_hash",
            "disclaimer_hash",
            Fieldset("To approve, I attest that", *SignOff.CHECKLIST),
            "conflict",
            "conflict_disclosure",
            "comment",
        )

    def clean(self):
        data = super().clean()
        if data.get("conflict") == SignOff.Conflict.DISCLOSED and not (data.get("conflict_disclosure") or "").strip():
            self.add_error("conflict_disclosure", "Describe the conflict you declare.")
        if self.decision == SignOff.Decision.APPROVE:
            for item in SignOff.CHECKLIST:
                if not data.get(item):
                    self.add_error(item, "Attest this before approving.")
        if self.decision == SignOff.Decision.REQUEST_CHANGES and not (data.get("comment") or "").strip():
            self.add_error("comment", "Say what needs to change: the editor will read this.")
        return data

    @property
    def checklist(self) -> dict:
        return {item: self.cleaned_data[item] for item in SignOff.CHECKLIST}


class AssignForm(forms.Form):
    reviewers = forms.ModelMultipleChoiceField(
        label="Board members",
        queryset=Reviewer.objects.filter(is_active=True).order_by("display_name"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one board member."},
    )
    due_date = forms.DateField(
        label="Due date (optional)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    quorum = forms.IntegerField(
        label="Approvals needed",
        required=False,
        min_value=1,
        max_value=10,
        help_text="Leave empty for the site default. Dosing content usually needs 2.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout("reviewers", "due_date", "quorum")
        self.helper.add_input(Submit("assign", "Assign"))


class HoldForm(forms.Form):
    """Hold the live words for safety: the hash of the words the person read, and two reasons."""

    content_hash = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Reason for the hold",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded in the audit log and shown to editors and the board; never to readers.",
        error_messages={"required": "Say why you hold it: managing editors read this first."},
    )
    public_reason = forms.CharField(
        label="Reason for readers",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One or two plain sentences, shown to readers on the notice that replaces the article.",
        error_messages={"required": "Say in words for readers why the article is unavailable."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout("content_hash", "reason", "public_reason")
