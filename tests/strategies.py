"""Hypothesis strategies shared by several test modules."""

import datetime

from hypothesis import strategies as st

CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURY_SIGNS = {1800: "+", 1900: "-YXWVU", 2000: "ABCDEF"}


@st.composite
def identity_codes(draw):
    """Valid Finnish personal identity codes (henkilötunnus), temporary ones (900-999)
    included, with every century sign."""
    born = draw(
        st.dates(min_value=datetime.date(1850, 1, 1), max_value=datetime.date(2025, 12, 31))
    )
    sign = draw(st.sampled_from(CENTURY_SIGNS[born.year // 100 * 100]))
    individual = draw(st.integers(min_value=2, max_value=999))
    digits = f"{born:%d%m%y}{individual:03d}"
    return f"{born:%d%m%y}{sign}{individual:03d}{CHECK_CHARS[int(digits) % 31]}"
