"""Odd values in the staff admin's addresses never cause a server error.

Whatever a staff member types into a list's address (a NUL byte, a number too big for any
column, letters where an id belongs, a lookup the list does not offer such as
``?last_name__regex=``) the answer is the list without that filter and a message saying so, or a
4xx; never a 500, and never a filter the admin does not offer. Run on PostgreSQL too: it refuses
NUL bytes and out-of-range numbers that SQLite lets through.
"""

import re
from html import unescape
from urllib.parse import parse_qsl, urlencode

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm import services
from crm.models import Contact, Interaction
from tests.factories import ContactFactory, MembershipFactory

pytestmark = pytest.mark.django_db

ODD_VALUES = st.one_of(
    st.text(max_size=30),
    st.integers().map(str),
    st.sampled_from(
        [
            "\x00",
            "1\x00",
            "9" * 40,
            "-1",
            "0",
            "1e9",
            "²",
            "１２",
            "",
            " ",
            "2026-02-30",
            "99999-01-01",
            "null",
            "true",
        ]
    ),
)
# Lookups Django's query language has but no list offers (the fuzzing picks a model field).
FOREIGN_LOOKUPS = ["regex", "iregex", "contains", "icontains", "startswith", "gt", "in", "range"]
FUZZ = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _changelists():
    # list(): the first reverse() loads the URLconf, which re-registers other packages' admins
    # with the filter guard (crm.admin_tools.offer_only_listed_filters) and so changes the dict.
    return [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in list(admin.site._registry)
    ]


@pytest.fixture
def register(superuser):
    person = ContactFactory(last_name="Aalto", email="heli.aalto@example.com")
    MembershipFactory(contact=person)
    services.interaction_create(contact=person, kind="call", summary="Soitto", staff=superuser.user)
    return person


def _offered_parameters(client, url) -> set[str]:
    """The parameters the list's own filter links, selects and date links use."""
    html = client.get(url).content.decode()
    names = set()
    for href in re.findall(r'href="\?([^"]*)"', html):
        names |= {key for key, _value in parse_qsl(unescape(href), keep_blank_values=True)}
    names |= set(re.findall(r'<select[^>]* name="([^"]+)"', html))
    return names - {"o", "p", "q", "all", "_facets", "e", "action"}


def _answer_is_fine(response, url):
    assert response.status_code < 500, url
    assert response.status_code in (200, 400, 403, 404), (url, response.status_code)


@pytest.mark.parametrize("changelist", _changelists())
def test_any_value_of_an_offered_filter_gives_a_list_or_a_4xx(superuser, register, changelist):
    client = superuser.client
    offered = sorted(_offered_parameters(client, changelist))

    @FUZZ
    @given(values=st.lists(st.tuples(st.sampled_from(offered or ["q"]), ODD_VALUES), max_size=3))
    def check(values):
        url = f"{changelist}?{urlencode(values)}"
        _answer_is_fine(client.get(url), url)

    check()


@pytest.mark.parametrize("changelist", _changelists())
def test_search_page_and_ordering_take_any_value(superuser, register, changelist):
    client = superuser.client

    @FUZZ
    @given(name=st.sampled_from(["q", "p", "o", "all", "_facets", "e"]), value=ODD_VALUES)
    def check(name, value):
        url = f"{changelist}?{urlencode({name: value})}"
        _answer_is_fine(client.get(url), url)

    check()


@pytest.mark.parametrize("changelist", _changelists())
def test_a_lookup_the_list_does_not_offer_filters_nothing(superuser, register, changelist):
    client = superuser.client
    model = next(
        m
        for m in admin.site._registry
        if changelist.endswith(f"/{m._meta.app_label}/{m._meta.model_name}/")
    )
    fields = [f.name for f in model._meta.concrete_fields]
    unfiltered = client.get(changelist)
    offered = _offered_parameters(client, changelist)

    @FUZZ
    @given(
        field=st.sampled_from(fields),
        lookup=st.sampled_from(FOREIGN_LOOKUPS),
        value=ODD_VALUES,
    )
    def check(field, lookup, value):
        key = f"{field}__{lookup}"
        if key in offered:
            return
        url = f"{changelist}?{urlencode({key: value})}"
        response = client.get(url)
        _answer_is_fine(response, url)
        if response.status_code == 200:
            assert response.context["cl"].result_count == unfiltered.context["cl"].result_count
            assert [m for m in get_messages(response.wsgi_request)], "ignored without a word"

    check()


def test_a_regex_typed_into_the_address_is_refused_or_ignored_with_a_message(sales):
    ContactFactory(last_name="Aalto")
    ContactFactory(last_name="Virtanen")

    response = sales.client.get("/admin/crm/contact/?last_name__regex=^A&email__contains=")

    if response.status_code == 200:
        assert response.context["cl"].result_count == 2
        messages = [str(m) for m in get_messages(response.wsgi_request)]
        assert any("last_name__regex" in m for m in messages)
    else:
        assert response.status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "organisation=99999999999999999999999",
        "organisation=%00",
        "organisation=abc",
        "municipality=%00",
        "municipality=091%00",
        "subject_category__exact=%00",
        "q=%00",
        "q=" + "a%20" * 2000,
    ],
)
def test_odd_filter_values_on_the_contact_list_are_left_out_with_a_message(sales, query):
    ContactFactory()

    response = sales.client.get(f"/admin/crm/contact/?{query}")

    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    assert [m for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    "query",
    [
        "occurred_at__gte=99999-01-01",
        "occurred_at__year=2026&occurred_at__month=2&occurred_at__day=30",
        "occurred_at__year=999999999999",
        "contact=%00",
        "kind__exact=%00",
    ],
)
def test_odd_dates_and_ids_on_the_interaction_list_are_left_out(sales, register, query):
    response = sales.client.get(f"/admin/crm/interaction/?{query}")

    assert response.status_code == 200
    assert response.context["cl"].result_count == Interaction.objects.count()


@pytest.mark.parametrize(
    "model_name,field_name",
    [("contact", "municipality"), ("organisation", "industry"), ("interaction", "contact")],
)
@pytest.mark.parametrize("term", ["\x00", "a\x00b", "9" * 40, "x" * 5000, "a " * 500])
def test_autocomplete_takes_any_term(sales, register, model_name, field_name, term):
    response = sales.client.get(
        "/admin/autocomplete/",
        {"app_label": "crm", "model_name": model_name, "field_name": field_name, "term": term},
    )

    assert response.status_code in (200, 400)


@pytest.mark.parametrize(
    "address",
    [
        "/admin/crm/contact/abc/change/",
        "/admin/crm/contact/99999999999999999999999/change/",
        "/admin/crm/contact/%00/change/",
        "/admin/crm/interaction/add/?contact=abc",
        "/admin/crm/interaction/add/?contact=99999999999999999999999",
        "/admin/crm/interaction/add/?contact=%00",
        "/admin/crm/contact/merge/?into=99999999999999999999999&merge=1",
        "/admin/crm/contact/merge/?into=%00&merge=1",
    ],
)
def test_odd_ids_in_page_addresses_give_no_server_error(sales, register, address):
    response = sales.client.get(address)

    assert response.status_code < 500


def test_only_offered_filters_are_lookups_the_admin_allows(superuser):
    """Every registered admin answers ``lookup_allowed`` for offered filters only."""
    contact_admin = admin.site._registry[Contact]
    request = superuser.client.get("/admin/").wsgi_request

    assert contact_admin.lookup_allowed("subject_category__exact", "customer", request)
    assert contact_admin.lookup_allowed("municipality", "091", request)
    assert not contact_admin.lookup_allowed("last_name__regex", "^A", request)
    assert not contact_admin.lookup_allowed("email__contains", "@", request)
    for model, model_admin in admin.site._registry.items():
        assert not model_admin.lookup_allowed("pk__regex", ".", request), model
        assert not model_admin.lookup_allowed("id__in", "1,2", request), model
