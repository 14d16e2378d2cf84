"""Django admin phrases whose Finnish we translate again in our own catalogue.

Django's Finnish admin builds titles as "Muokkaa %s" with the model's name in the nominative
("Muokkaa henkilö"), which is not Finnish: the verb takes the partitive. Our catalogue
(LOCALE_PATHS) takes precedence over Django's own, so listing the phrases here (makemessages
finds them) lets us give them a form that reads right whatever the model's name. Nothing
imports this module; it only carries the message ids.
"""

from django.utils.translation import gettext_noop

PHRASES = [
    gettext_noop("Change %s"),
    gettext_noop("View %s"),
]
