"""What every public page shows: the controller of the register, and the page in other languages."""

from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info


def public_site(request):
    """``controller``: who keeps the register (GDPR Art. 13(1)(a)); ``language_links``: this page
    in each language as (code, name, address, is the current one), when its address carries the
    language (/privacy/, /sv/privacy/, /en/privacy/). Staff pages, whose addresses do not, switch
    with the set_language form instead (and get an empty list)."""
    current = get_language()
    links = []
    for code, _name in settings.LANGUAGES:
        url = translate_url(request.path, code)
        links.append((code, get_language_info(code)["name_local"], url, code == current))
    if len({url for _code, _name, url, _current in links}) < len(links):
        links = []
    return {
        "controller": {
            "name": settings.CONTROLLER_NAME,
            "address": settings.CONTROLLER_ADDRESS,
            "business_id": settings.CONTROLLER_BUSINESS_ID,
            "email": settings.PRIVACY_CONTACT_EMAIL,
        },
        "language_links": links,
    }
