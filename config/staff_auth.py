"""Staff sign in through django-allauth, and staff pages need a second factor (TOTP).

* The admin's own username/password form is replaced by a redirect to allauth's login, which
  applies allauth's rate limits and, for a user with an authenticator, asks for the TOTP code.
* ``StaffTwoFactorMiddleware`` guards /admin/ (and other staff pages): a staff user without TOTP
  is sent to set it up; a session that was not confirmed with a second factor is signed out.
* A new staff member's first sign-in is one path: the password once, the authenticator app set
  up (the code they type proves it works, so it counts as the session's second factor), the
  recovery codes shown with a way on, and the staff pages.
* Deactivating an account deletes its sessions (``staff_sessions_end``), so reactivating it
  later does not bring an old session cookie back to life.
"""

from importlib import import_module
from urllib.parse import urlencode

from allauth.account.internal.flows.login import get_authentication_records, record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.forms import ActivateTOTPForm
from allauth.mfa.totp.internal.auth import get_totp_secret
from allauth.mfa.utils import is_mfa_enabled
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.sessions.models import Session
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from crm import audit

from .access import public

STAFF_PREFIXES = ("/admin/",)

# allauth's own phrases that staff meet on the way in, given our Finnish (one name for the app,
# "todennussovellus", everywhere) in our catalogue, which takes precedence over allauth's. Listed
# so that makemessages keeps them.
ALLAUTH_PHRASES = [
    gettext_noop("Use authenticator app or code"),
]


@public  # it only redirects to the sign-in page
def admin_login_redirect(request, extra_context=None):
    next_url = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")


def session_used_second_factor(request, user) -> bool:
    return any(r.get("method") == "mfa" for r in get_authentication_records(request, user))


def _has_totp(user) -> bool:
    return is_mfa_enabled(user, [Authenticator.Type.TOTP])


class StaffTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        if request.path_info == reverse("mfa_activate_totp") and request.method == "POST":
            return self._setting_up(request, user)
        if user.is_staff and request.path_info.startswith(STAFF_PREFIXES):
            if not _has_totp(user):
                messages.warning(
                    request,
                    _("Staff pages need two-factor authentication. Set up an authenticator app."),
                )
                return redirect(
                    f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.path})}"
                )
            if not session_used_second_factor(request, user):
                logout(request)
                messages.info(request, _("Sign in again with your authenticator code."))
                return redirect(f"{reverse('account_login')}?{urlencode({'next': request.path})}")
        return self.get_response(request)

    def _setting_up(self, request, user):
        """The set-up form checked a code from the new authenticator app: that is the second
        factor, so the session is not signed out on its way to the staff pages."""
        had_totp = _has_totp(user)
        response = self.get_response(request)
        if not had_totp and _has_totp(user):
            record_authentication(request, user, "mfa", type="totp", reauthenticated=True)
        return response


class StaffActivateTOTPForm(ActivateTOTPForm):
    """allauth's set-up form, with a secret that stays the same until the set-up is done.

    allauth draws a new secret on every GET, so reloading the page (or coming back to it after
    installing the app) silently invalidated the QR code already scanned. The secret lives in the
    session until the authenticator is activated (allauth clears it then).
    """

    def __init__(self, *args, **kwargs) -> None:
        self.user = kwargs.pop("user")
        forms.Form.__init__(self, *args, **kwargs)
        self.secret = get_totp_secret(regenerate=False)
        self.fields["code"].label = gettext_lazy("Code from your authenticator app")


def staff_sessions_end(*, user) -> int:
    """Delete every session signed in as ``user``; returns how many.

    Django ignores an inactive user's session, but keeps it: reactivating the account would
    let whoever held the cookie back in. The sessions are found in the session table (the
    database backend, Django's default and ours); ``SessionStore.delete`` also drops a cached
    copy under ``cached_db``.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    for key in keys:
        store(session_key=key).delete()
    return len(keys)


def end_sessions_of_deactivated_accounts(sender, instance, **kwargs) -> None:
    """post_save of the user model: an inactive account has no session left. (Saving an
    inactive account again finds none and changes nothing.)"""
    if not instance.is_active:
        staff_sessions_end(user=instance)


def keep_who_acted(sender, instance, **kwargs) -> None:
    """pre_delete of the user model: the audit trail keeps the name of a deleted staff member
    (the deletion then clears the entries' link to the account)."""
    audit.keep_actor_names(user=instance)
