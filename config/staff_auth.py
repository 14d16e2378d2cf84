"""Staff sign in through django-allauth, and staff pages need a second factor (TOTP).

* The admin's own username/password form is replaced by a redirect to allauth's login, which
  applies allauth's rate limits and, for a user with an authenticator, asks for the TOTP code.
* ``StaffTwoFactorMiddleware`` guards /admin/ (and other staff pages): a staff user without TOTP
  is sent to set it up; a session that was not confirmed with a second factor is signed out.
"""

from urllib.parse import urlencode

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .access import public

STAFF_PREFIXES = ("/admin/",)


@public  # it only redirects to the sign-in page
def admin_login_redirect(request, extra_context=None):
    next_url = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")


def session_used_second_factor(request, user) -> bool:
    return any(r.get("method") == "mfa" for r in get_authentication_records(request, user))


class StaffTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.is_staff
            and request.path_info.startswith(STAFF_PREFIXES)
        ):
            if not is_mfa_enabled(user, [Authenticator.Type.TOTP]):
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
