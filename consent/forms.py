from django import forms
from django.utils.translation import gettext_lazy as _

from crm.validators import validate_no_personal_identity_code

# Form fields refuse NUL characters on their own: adding the model's validator too would show
# the same error twice.
form_text_validators = [validate_no_personal_identity_code]


class SignUpForm(forms.Form):
    """The public sign-up of one purpose; its topics are the purpose's."""

    first_name = forms.CharField(
        label=_("First name"), max_length=150, validators=form_text_validators
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=150, validators=form_text_validators
    )
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        validators=form_text_validators,
    )
    topics = forms.MultipleChoiceField(
        label=_("Topics"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, purpose, **kwargs):
        super().__init__(*args, **kwargs)
        self.purpose = purpose
        choices = [(t.code, t.name) for t in purpose.topics.all()]
        if choices:
            self.fields["topics"].choices = choices
            self.fields["topics"].initial = [code for code, _name in choices]
        else:
            del self.fields["topics"]

    def clean_topics(self):
        topics = self.cleaned_data["topics"]
        if self.fields["topics"].choices and not topics:
            raise forms.ValidationError(_("Choose at least one topic."))
        return topics
