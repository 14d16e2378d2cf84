"""Shared pieces of the register-description and report tests."""

import copy
import io
import re

from privacy.demo import CUSTOMER_REGISTER, EVENT_REGISTER
from privacy.services import register_load


def customer_register():
    return register_load(document=copy.deepcopy(CUSTOMER_REGISTER))


def event_register():
    return register_load(document=copy.deepcopy(EVENT_REGISTER))


def pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def squeezed(text: str) -> str:
    """Text without whitespace: a table cell may wrap a field's name over two lines."""
    return re.sub(r"\s+", "", text)
