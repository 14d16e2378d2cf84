import pytest

from consent import services


@pytest.fixture
def staff_evidence():
    return services.Evidence(source="staff", detail="Sanna Myynti", note="Puhelimessa")


def link_in(message, marker: str) -> str:
    """The path of the first address in ``message``'s text that contains ``marker``."""
    import re
    from urllib.parse import urlsplit

    for url in re.findall(r"https?://\S+", message.body):
        if marker in url:
            return urlsplit(url).path
    raise AssertionError(f"no {marker} link in: {message.body}")
