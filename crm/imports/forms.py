"""The import's forms: the file, and which column fills which field."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .parse import TARGETS, validate_mapping


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8 or Windows-1252 (Excel's “CSV”), fields separated by ; or , with a header row."
        ),
    )


class ImportMappingForm(forms.Form):
    """One choice per column of the file: which field it fills, or nothing."""

    skip_invalid = forms.BooleanField(
        label=_("Import the valid rows and skip the rows with errors"), required=False
    )

    def __init__(self, *args, header: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("(not imported)")), *[(k, v) for k, v in TARGETS.items()]]
        self.header = header
        for index, name in enumerate(header):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=name or _("column %(n)d") % {"n": index + 1}, choices=choices, required=False
            )

    def column_fields(self):
        return [self[f"column_{i}"] for i in range(len(self.header))]

    def clean(self):
        """The mapping, checked by the rules the service applies (validate_mapping)."""
        cleaned = super().clean()
        mapping = {
            str(index): cleaned[f"column_{index}"]
            for index in range(len(self.header))
            if cleaned.get(f"column_{index}")
        }
        try:
            validate_mapping(mapping, self.header)
        except ValidationError as error:
            self.add_error(None, error)
        cleaned["mapping"] = mapping
        return cleaned
