"""Forms of the staff admin for the people in the register (the import's are in crm/imports/)."""

from django import forms

from .models import Contact


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
