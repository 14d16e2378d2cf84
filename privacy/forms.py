from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from crm.models import Contact

from .models import RightsRequest
from .requests import RECTIFIABLE

#: The portal's choices: the rights of a request, and managing consents (a mailed link).
CONSENTS = "consents"
PORTAL_CHOICES = [
    (RightsRequest.Type.ACCESS, _("See my data")),
    (RightsRequest.Type.PORTABILITY, _("Download my data")),
    (RightsRequest.Type.RECTIFICATION, _("Correct my data")),
    (RightsRequest.Type.ERASURE, _("Erase my data")),
    (RightsRequest.Type.RESTRICTION, _("Restrict the processing of my data")),
    (RightsRequest.Type.OBJECTION, _("Object to direct marketing")),
    (CONSENTS, _("Manage my consents")),
]


class PortalRequestForm(forms.Form):
    right = forms.ChoiceField(
        label=_("What would you like to do?"), choices=PORTAL_CHOICES, widget=forms.RadioSelect
    )
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        validators=[ProhibitNullCharactersValidator()],
        help_text=_("We send a link to this address to make sure the request is yours."),
    )


class CorrectionForm(forms.ModelForm):
    """The person's contact details as they propose them; nothing is saved from here."""

    class Meta:
        model = Contact
        fields = list(RECTIFIABLE)

    def proposed(self, current: Contact) -> dict:
        """Only the values that differ from what the register holds, as text."""
        changed = {}
        for name in RECTIFIABLE:
            after = self.cleaned_data.get(name)
            before = getattr(current, name)
            if str(after or "") != str(before or ""):
                changed[name] = str(after or "")
        return changed
