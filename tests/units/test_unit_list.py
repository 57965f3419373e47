import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UnitFactory, user_with_role
from units.models import Unit
from units.roles import Role

URL = reverse("units:list")


def names_on_page(response):
    return [unit.short_name for unit in response.context["page"]]


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_coordinator_sees_every_unit_of_ha_nam(client, coordinator, ha_nam):
    client.force_login(coordinator)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 205
    assert "Sở Nội vụ" in response.content.decode()


@pytest.mark.parametrize("query", ["binh luc", "BINH LUC", "Bình Lục", "bình lục", "huyen binh luc"])
def test_search_ignores_accents_and_case(client, leader, ha_nam, query):
    client.force_login(leader)
    response = client.get(URL, {"q": query, "kind": Unit.Kind.DISTRICT})
    assert names_on_page(response) == ["Huyện Bình Lục"]


def test_search_folds_the_letter_d(client, inspector, ha_nam):
    client.force_login(inspector)
    response = client.get(URL, {"q": "dong van"})
    assert "Phường Đồng Văn" in names_on_page(response)


def test_filter_by_kind(client, coordinator, ha_nam):
    client.force_login(coordinator)
    response = client.get(URL, {"kind": Unit.Kind.COMMUNE})
    assert response.context["page"].paginator.count == 109
    assert {u.kind for u in response.context["page"]} == {Unit.Kind.COMMUNE}


def test_filter_by_parent_lists_a_districts_communes_and_divisions(client, coordinator, ha_nam):
    client.force_login(coordinator)
    binh_luc = Unit.objects.get(code="352")
    response = client.get(URL, {"parent": binh_luc.pk, "kind": Unit.Kind.COMMUNE})
    assert response.context["page"].paginator.count == 17


def test_bad_filter_value_shows_an_error_and_lists_nothing_wrong(client, coordinator, ha_nam):
    client.force_login(coordinator)
    response = client.get(URL, {"kind": "planet"})
    assert response.status_code == 200
    assert response.context["filter"].errors["kind"]


def test_unit_user_sees_only_their_own_branch(client, ha_nam):
    binh_luc = Unit.objects.get(code="352")
    client.force_login(user_with_role(Role.UNIT_STAFF, unit=binh_luc))

    response = client.get(URL, {"page": 1})

    assert response.context["page"].paginator.count == 1 + 17 + 12  # itself, communes, divisions
    names = names_on_page(response)
    assert names[0] == "Huyện Bình Lục"
    assert "Thị trấn Bình Mỹ" in names
    html = response.content.decode()
    assert "Phủ Lý" not in html
    assert "Sở Tài chính" not in html


def test_search_as_unit_user_cannot_reach_other_units(client, user_a, unit_b):
    client.force_login(user_a)
    response = client.get(URL, {"q": "beta"})
    assert names_on_page(response) == []


def make_units(districts: int, communes_each: int):
    for _ in range(districts):
        district = UnitFactory(kind=Unit.Kind.DISTRICT)
        UnitFactory.create_batch(communes_each, kind=Unit.Kind.COMMUNE, parent=district)


def count_queries(client, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", [{}, {"q": "so thu"}, {"kind": Unit.Kind.COMMUNE}, {"page": 2}])
def test_query_count_does_not_grow_with_the_number_of_units(client, coordinator, params):
    client.force_login(coordinator)
    make_units(districts=3, communes_each=20)  # 63 units: two pages
    small = count_queries(client, params)
    make_units(districts=30, communes_each=20)  # 693 units
    large = count_queries(client, params)
    assert small == large
