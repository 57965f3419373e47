import pytest
from django.urls import reverse

from tests.factories import UnitFactory, user_with_role
from units.models import Unit
from units.roles import Role


def detail(unit):
    return reverse("units:detail", args=[unit.pk])


@pytest.mark.django_db
def test_detail_lists_the_children(client, leader, unit_a):
    commune = UnitFactory(kind=Unit.Kind.COMMUNE, parent=unit_a, short_name="Xã Gamma")
    division = UnitFactory(kind=Unit.Kind.DIVISION, parent=unit_a, short_name="Phòng Nội vụ Alpha")
    client.force_login(leader)

    response = client.get(detail(unit_a))

    assert response.status_code == 200
    assert list(response.context["children"]) == [commune, division]
    html = response.content.decode()
    assert "Xã Gamma" in html and "Phòng Nội vụ Alpha" in html
    assert "Sửa trong trang quản trị" not in html


@pytest.mark.django_db
def test_coordinator_gets_an_edit_link(client, coordinator, unit_a):
    client.force_login(coordinator)
    html = client.get(detail(unit_a)).content.decode()
    assert reverse("admin:units_unit_change", args=[unit_a.pk]) in html


@pytest.mark.django_db
def test_unit_user_sees_own_unit_and_its_children(client, user_a, unit_a):
    commune = UnitFactory(kind=Unit.Kind.COMMUNE, parent=unit_a)
    client.force_login(user_a)
    assert client.get(detail(unit_a)).status_code == 200
    assert client.get(detail(commune)).status_code == 200


@pytest.mark.django_db
def test_unit_user_gets_404_for_another_unit(client, user_a, unit_b):
    client.force_login(user_a)
    response = client.get(detail(unit_b))
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()
    assert unit_b.name not in response.content.decode()


@pytest.mark.django_db
def test_commune_user_cannot_climb_to_the_district(client, unit_a):
    commune = UnitFactory(kind=Unit.Kind.COMMUNE, parent=unit_a)
    sibling = UnitFactory(kind=Unit.Kind.COMMUNE, parent=unit_a)
    client.force_login(user_with_role(Role.UNIT_STAFF, unit=commune))
    assert client.get(detail(commune)).status_code == 200
    assert client.get(detail(unit_a)).status_code == 404
    assert client.get(detail(sibling)).status_code == 404


@pytest.mark.django_db
def test_user_without_unit_or_role_sees_no_unit(client, unit_a):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(detail(unit_a)).status_code == 404
    assert client.get(reverse("units:list")).context["page"].paginator.count == 0


@pytest.mark.django_db
def test_missing_unit_is_404(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("units:detail", args=[999999])).status_code == 404


@pytest.mark.django_db
def test_post_is_not_allowed_to_change_anything(client, coordinator, unit_a):
    client.force_login(coordinator)
    response = client.post(detail(unit_a), {"name": "Đổi tên"})
    assert response.status_code == 405
    unit_a.refresh_from_db()
    assert unit_a.name == "Ủy ban nhân dân huyện Alpha"
