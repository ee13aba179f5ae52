from django import forms

from reader.models import PROBLEM_REPORT_MAX_CHARS, PROBLEM_SOURCE_MAX_CHARS, FollowUpQuestion, ProblemReport


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
