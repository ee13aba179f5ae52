"""The library-wide export's period: both dates required, the end not before the start."""

from django import forms

FORMATS = (("csv", "CSV (one row per sign-off, for a spreadsheet)"), ("json", "JSON (for a program)"))


class SignOffPeriodForm(forms.Form):
    """The period of a library-wide export, read from `?from=YYYY-MM-DD&to=YYYY-MM-DD&format=csv|json`.

    The fields are named `from` and `to` as in the address, so they are added
    in `__init__` (`from` is a Python keyword).
    """

    format = forms.ChoiceField(choices=FORMATS, initial="csv", widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        date_input = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        period = {
            "from": forms.DateField(label="From", input_formats=["%Y-%m-%d"], widget=date_input),
            "to": forms.DateField(
                label="To (inclusive)", input_formats=["%Y-%m-%d"], widget=date_input, help_text="Both days count."
            ),
        }
        self.fields = {**period, **self.fields}

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and end < start:
            self.add_error("to", "The period ends before it starts: choose a “to” date on or after “from”.")
        return cleaned
