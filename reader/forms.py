from django import forms

from reader.models import (
    EDITORIAL_PAGE_MAX_CHARS,
    PROBLEM_REPORT_MAX_CHARS,
    PROBLEM_SOURCE_MAX_CHARS,
    FollowUpQuestion,
    ProblemReport,
)


class FollowUpQuestionForm(forms.ModelForm):
    """A reader's question. `website` is a honeypot: people leave it empty, robots fill it in."""

    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = FollowUpQuestion
        fields = ("question", "audience", "email")
        labels = {"question": "Your question", "audience": "I am a", "email": "Email (optional)"}
        help_texts = {"email": "Only if you would like an answer. We never publish it."}
        widgets = {"question": forms.Textarea(attrs={"rows": 4, "maxlength": 1000})}

    def clean_question(self):
        question = self.cleaned_data["question"].strip()
        if len(question) < 10:
            raise forms.ValidationError("Please write your question in a sentence or two (at least 10 characters).")
        if len(question) > 1000:
            raise forms.ValidationError("Please keep your question under 1,000 characters.")
        return question

    def focus_first_error(self) -> None:
        """Put the cursor in the first field with an error, so that a reader sees what to fix without scrolling."""
        first = next((name for name in self.fields if name in self.errors), None)
        if first is not None:
            self.fields[first].widget.attrs["autofocus"] = True

    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class ProblemReportForm(forms.ModelForm):
    """A reader's report that a claim is wrong. `website` is a honeypot, as on the follow-up form."""

    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = ProblemReport
        fields = ("problem", "source", "email")
        labels = {
            "problem": "What is wrong with this claim?",
            "source": "A source (optional)",
            "email": "Email (optional)",
        }
        help_texts = {
            "source": "A link or a citation that supports what you say, if you have one.",
            "email": "Only if you would like to hear what we did. We never publish it.",
        }
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 5, "maxlength": PROBLEM_REPORT_MAX_CHARS}),
            "source": forms.TextInput(attrs={"maxlength": PROBLEM_SOURCE_MAX_CHARS}),
        }

    def clean_problem(self):
        problem = self.cleaned_data["problem"].strip()
        if len(problem) < 10:
            raise forms.ValidationError("Please say what is wrong in a sentence or two (at least 10 characters).")
        return problem

    def clean_source(self):
        return self.cleaned_data["source"].strip()

    focus_first_error = FollowUpQuestionForm.focus_first_error

    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class PageVersionForm(forms.Form):
    """A new version of one of the site's pages, as an editor drafts it; `based_on` is the newest version they read.

    The disclaimer asks for its words for patients as well; other pages read the same for everyone.
    """

    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    title = forms.CharField(max_length=200)
    body = forms.CharField(
        label="Words for professionals and everyone",
        max_length=EDITORIAL_PAGE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Markdown: paragraphs, headings, lists, bold, italic and links.",
    )
    patient_body = forms.CharField(
        label="Words for patients and caregivers",
        max_length=EDITORIAL_PAGE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Patients read these words instead of the professional ones.",
    )

    def __init__(self, *args, page, **kwargs):
        super().__init__(*args, **kwargs)
        if not page.has_patient_text:
            del self.fields["patient_body"]

    @staticmethod
    def initial_from(version) -> dict:
        """The form filled with the newest version's words, to edit from."""
        if version is None:
            return {"based_on": 0}
        return {
            "based_on": version.number,
            "title": version.title,
            "body": version.body,
            "patient_body": version.patient_body,
        }


class DecisionHashForm(forms.Form):
    """An approval carries the hash of the words on screen: words replaced since are refused."""

    content_hash = forms.CharField(widget=forms.HiddenInput, max_length=64)


class RejectForm(DecisionHashForm):
    comment = forms.CharField(
        label="Why you reject it",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The editor reads it. It is kept with your decision.",
        error_messages={"required": "Say why you reject this version: the editor needs the reason."},
    )
