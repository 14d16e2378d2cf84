from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language

from config.access import public

from .models import Register


@public
def privacy_index(request):
    """The public privacy page. The self-service portal grows here (see ../shared/ROADMAP.md)."""
    language = get_language()
    notices = [
        (
            register.slug,
            next((t.title for t in register.texts.all() if t.language == language), register.name),
        )
        for register in Register.objects.prefetch_related("texts")
    ]
    return render(request, "privacy/index.html", {"notices": notices})


@public
def register_notice(request, slug):
    """A register's privacy notice in the page's language, built from live data as the PDF is;
    a language the register has no text in says so instead of mixing languages."""
    from .reports import register_report

    register = get_object_or_404(Register.objects.prefetch_related("texts"), slug=slug)
    language = get_language()
    report = register_report(register, language, with_drift=False)
    return render(request, "privacy/register.html", {"report": report, "lang": language})
