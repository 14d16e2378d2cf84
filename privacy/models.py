"""Privacy models: rights requests, the breach register and the request log arrive with the
privacy-portal and DPO-report issues. The declarations framework lives in declarations.py."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessedPerson(models.Model):
    """A person an access entry names: one row per person shown in one page view.

    A list page of fifty people, an API page or an organisation's page showing its contact
    persons writes ONE audit entry (who, when, from where, which page) and one of these rows per
    person shown, so "who has seen me" is still answered per person (``privacy.selectors``
    finds the entry through this row) without fifty copies of the same entry.

    The link to the person has no database constraint: a merged duplicate's rows stay under
    its id (the merge tombstone maps it), as the audit entries about it do.
    """

    entry = models.ForeignKey(
        "auditlog.LogEntry",
        verbose_name=_("audit entry"),
        on_delete=models.CASCADE,
        related_name="people_shown",
    )
    contact = models.ForeignKey(
        "crm.Contact",
        verbose_name=_("contact"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("person shown")
        verbose_name_plural = _("people shown")

    def __str__(self) -> str:
        return f"#{self.contact_id} @ {self.entry_id}"
