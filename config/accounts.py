from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.utils import filter_users_by_email, filter_users_by_username
from allauth.mfa.models import Authenticator


def accounts_reached_by(credentials: dict) -> list[int]:
    """The ids of the accounts a sign-in attempt with these credentials could open: allauth tries
    the typed login as a username and, when it looks like one, as an email address."""
    ids = set()
    if username := credentials.get("username"):
        ids |= set(filter_users_by_username(username).values_list("pk", flat=True))
    if email := credentials.get("email"):
        ids |= {user.pk for user in filter_users_by_email(email)}
    return sorted(ids)


class StaffOnlyAccountAdapter(DefaultAccountAdapter):
    """Accounts are for staff, created by an administrator; nobody signs up on their own.

    The people in the register never need an account: the privacy portal proves control of an
    email address with a single-use link instead.
    """

    def is_open_for_signup(self, request):
        return False

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """The key of the failed sign-in counter (``ACCOUNT_RATE_LIMITS["login_failed"]``).

        allauth keys it on the login as typed, so "sales", "Sales" and "sales@example.com" each
        got five guesses at the same password. The counter belongs to the account the login
        reaches instead; a login that reaches no account keeps a counter of its own (there is
        nothing to protect, and it must not lock anyone else out). Password reset clears the
        counter through this key too.
        """
        accounts = accounts_reached_by(credentials)
        if accounts:
            return "account:" + ",".join(map(str, accounts))
        login = credentials.get("email") or credentials.get("username") or ""
        return f"login:{login.lower()}"

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Setting up the first authenticator does not ask for the password again.

        allauth asks for it before any change to the second factor, even seconds after the
        sign-in, so a new staff member typed their password twice on the way in. Without an
        authenticator the session gives nothing but that set-up (the staff pages stay closed,
        config.staff_auth), and the password was just given; once an authenticator exists,
        changing or removing it asks again as allauth does.
        """
        request = self.request
        user = getattr(request, "user", None)
        if (
            app == "allauth.mfa"
            and user is not None
            and user.is_authenticated
            and not Authenticator.objects.filter(user=user).exists()
        ):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)
