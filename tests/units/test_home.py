import pytest
from django.urls import reverse

URL = reverse("home")


@pytest.mark.django_db
def test_coordinator_home_counts_units_and_shows_admin_in_menu(client, coordinator, ha_nam):
    client.force_login(coordinator)
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Chuyên viên Sở Nội vụ (điều phối)" in html
    assert dict(response.context["unit_counts"])["UBND cấp xã"] == 109
    assert reverse("admin:index") in html
    assert reverse("units:list") in html


@pytest.mark.django_db
def test_unit_user_home_shows_their_unit_and_no_admin(client, user_a, unit_a):
    client.force_login(user_a)
    response = client.get(URL)
    html = response.content.decode()
    assert response.context["own_unit"] == unit_a
    assert "Đơn vị của tôi" in html
    assert reverse("units:detail", args=[unit_a.pk]) in html
    assert reverse("admin:index") not in html
    assert "unit_counts" not in response.context


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "label"), [("inspector", "Thành viên Đoàn Kiểm tra"), ("leader", "Lãnh đạo")])
def test_province_wide_roles_see_the_unit_list_but_not_admin(client, request, persona, label):
    client.force_login(request.getfixturevalue(persona))
    html = client.get(URL).content.decode()
    assert label in html
    assert reverse("units:list") in html
    assert reverse("admin:index") not in html


@pytest.mark.django_db
def test_home_in_english(client, leader):
    client.force_login(leader)
    client.cookies.load({"django_language": "en"})
    html = client.get(URL).content.decode()
    assert 'lang="en"' in html
    assert "Log out" in html
    assert "Leadership" in html
