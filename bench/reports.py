"""DPO report figures: the register description (tietosuojaseloste) PDF of a register that
covers every declared app (the longest field list), built from live data and rendered by
WeasyPrint."""

from __future__ import annotations

import copy

from privacy.demo import CUSTOMER_REGISTER
from privacy.registers import declared_apps
from privacy.reports import register_pdf
from privacy.services import register_load

from .figures import at_most, figure, measured, stopwatch


def _register_of_every_app():
    document = copy.deepcopy(CUSTOMER_REGISTER)
    document.update(name="Bench: every app", slug="bench-every-app", apps=declared_apps())
    return register_load(document=document)


@figure
def register_report_pdf():
    register = _register_of_every_app()
    register_pdf(register, "fi")  # warm-up: fonts and templates load once per process
    runs = []
    for _i in range(3):
        with stopwatch() as elapsed:
            pdf = register_pdf(register, "fi")
        runs.append(elapsed())
    assert pdf.startswith(b"%PDF")
    return [
        measured(
            "register report PDF of a register covering every app (median of 3)",
            sorted(runs)[1],
            "s",
            at_most(2.0),
        )
    ]
