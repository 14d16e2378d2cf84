from django import forms
from django.utils.translation import gettext_lazy as _

from .imports import TARGETS
from .models import Contact


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
        cleaned = super().clean()
        mapping, used = {}, {}
        for index in range(len(self.header)):
            target = cleaned.get(f"column_{index}")
            if not target:
                continue
            if target in used:
                self.add_error(
                    f"column_{index}",
                    _("“%(field)s” is already filled from column %(other)s.")
                    % {"field": TARGETS[target], "other": self.header[used[target]]},
                )
            used[target] = index
            mapping[str(index)] = target
        for required in ("first_name", "last_name"):
            if required not in used:
                raise forms.ValidationError(
                    _("Choose the column for “%(field)s”.") % {"field": TARGETS[required]}
                )
        cleaned["mapping"] = mapping
        return cleaned


class ContactAdminForm(forms.ModelForm):
    """The admin's form for a person. Staff cannot mark anyone "erased" by hand: only erasure
    sets that category, on a row whose personal data it has removed (a hand-picked "erased"
    would leave a named person looking erased). An erased person's row keeps its category."""

    class Meta:
        model = Contact
        fields = ["subject_category"]  # the ModelAdmin's fieldsets add the rest

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("subject_category")
        if field is None:
            return
        if self.instance.pk and self.instance.subject_category == Contact.SubjectCategory.ERASED:
            field.choices = [
                c for c in Contact.SubjectCategory.choices if c[0] == Contact.SubjectCategory.ERASED
            ]
        else:
            field.choices = Contact.ASSIGNABLE_SUBJECT_CATEGORIES
