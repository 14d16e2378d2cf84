from allauth.account.adapter import DefaultAccountAdapter


class StaffOnlyAccountAdapter(DefaultAccountAdapter):
    """Accounts are for staff, created by an administrator; nobody signs up on their own.

    The people in the register never need an account: the privacy portal proves control of an
    email address with a single-use link instead.
    """

    def is_open_for_signup(self, request):
        return False
