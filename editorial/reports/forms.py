from django import forms

from reader.models import ProblemReport


class ReportMoveForm(forms.Form):
    """One triage move on a report, naming the state the managing editor saw it in (a stale form answers 409)."""

    MOVES = (("investigate", "Investigating"), ("fix", "Fixed in a revision"), ("dismiss", "No change needed"))

    move = forms.ChoiceField(choices=MOVES, widget=forms.HiddenInput)
    seen_state = forms.ChoiceField(choices=ProblemReport.State.choices, widget=forms.HiddenInput)
    revision = forms.IntegerField(required=False, min_value=1, label="Fixed in revision")
    reason = forms.CharField(
        required=False, max_length=2000, label="Why no change is needed", widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        if data.get("move") == "fix" and not data.get("revision"):
            self.add_error("revision", "Choose the revision that fixes the claim.")
        if data.get("move") == "dismiss" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why no change is needed.")
        return data
