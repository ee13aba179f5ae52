from django import forms

from reader.models import FollowUpQuestion


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
