"""Privacy models: rights requests, the breach register and the request log arrive with the
privacy-portal and DPO-report issues. The declarations framework lives in declarations.py."""

from django.conf import settings
from django.db import models
from django.utils import timezone
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


class DataExport(models.Model):
    """One copy of a person's data made for an access or portability request (privacy.export).

    The ZIP lies in ``PRIVACY_EXPORT_ROOT`` under ``file_name`` (a random name, never served by
    the web server); only the SHA-256 of the download token is stored, the token itself is in
    the person's mail. The link works once and until ``expires_at``: fetching it sets
    ``fetched_at`` and removes the file; the purge job removes expired files (``deleted_at``).
    """

    contact = models.ForeignKey(
        "crm.Contact",
        verbose_name=_("contact"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    file_name = models.CharField(_("file name"), max_length=100, unique=True)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    fetched_at = models.DateTimeField(_("fetched"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("file deleted"), null=True, blank=True)

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        indexes = [models.Index(fields=["deleted_at", "expires_at"], name="privacy_export_live")]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.created_at:%Y-%m-%d})"
