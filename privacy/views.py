from django.shortcuts import render

from config.access import public


@public
def privacy_index(request):
    """The public privacy page. The self-service portal grows here (see ../shared/ROADMAP.md)."""
    return render(request, "privacy/index.html")
