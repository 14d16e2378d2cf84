"""The DPO's reports are PDFs: WeasyPrint and its system libraries must work on every machine."""

import io

from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation


def test_a_finnish_page_renders_to_a_pdf_with_its_letters():
    from pypdf import PdfReader
    from weasyprint import HTML

    with translation.override("fi"):
        request = RequestFactory().get("/privacy/")
        html = render_to_string("privacy/index.html", request=request)

    pdf = HTML(string=html, base_url="http://testserver/").write_pdf()

    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Tietosuoja ja tietosi" in text
    assert "tietosuojavaltuutetulle" in text
