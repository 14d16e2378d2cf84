"""The data protection officer signs in with the authenticator code, opens the register
descriptions and downloads a register's privacy notice as PDF, in Chromium at 1366 px."""

import copy
import io

from crm import roles
from privacy.demo import CUSTOMER_REGISTER
from privacy.services import register_load

from .conftest import page_fits, sign_in


def test_the_dpo_downloads_the_privacy_notice(page, staff_member):
    from pypdf import PdfReader

    user, secret = staff_member(roles.DPO, username="liisa.tietosuoja")
    register = register_load(document=copy.deepcopy(CUSTOMER_REGISTER))

    sign_in(page, user, secret)
    page.goto("/admin/privacy/register/")
    page_fits(page)
    row = page.locator("tr", has_text="Asiakasrekisteri")
    with page.expect_download() as download_info:
        row.get_by_role("link", name="fi", exact=True).click()
    download = download_info.value
    assert download.suggested_filename == f"{register.slug}-fi.pdf"

    with open(download.path(), "rb") as f:
        pdf = PdfReader(io.BytesIO(f.read()))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert "Tietosuojaseloste" in text
    assert "Rekisterinpitäjä" in text
    assert "Tietosuojavaltuutetun toimisto" in text
