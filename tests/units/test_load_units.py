import json

import pytest
from django.core.management import call_command

from units.models import Unit
from units.services import HA_NAM_2022_FIXTURE, units_load_fixture

# GSO district code -> (short name, number of communes, wards and towns in 2022)
HA_NAM_DISTRICTS = {
    "347": ("Thành phố Phủ Lý", 21),
    "349": ("Thị xã Duy Tiên", 16),
    "350": ("Huyện Kim Bảng", 18),
    "351": ("Huyện Thanh Liêm", 16),
    "352": ("Huyện Bình Lục", 17),
    "353": ("Huyện Lý Nhân", 21),
}

SEED_DEPARTMENTS = [
    "Sở Tài chính",
    "Sở Giáo dục và Đào tạo",
    "Sở Công Thương",
    "Sở Khoa học và Công nghệ",
    "Sở Kế hoạch và Đầu tư",
    "Ban Quản lý các Khu công nghiệp tỉnh Hà Nam",
    "Sở Thông tin và Truyền thông",
    "Sở Nội vụ",
    "Sở Tư pháp",
    "Văn phòng Ủy ban nhân dân tỉnh",
    "Thanh tra tỉnh",
]


@pytest.mark.django_db
def test_fixture_loads_six_districts_and_109_communes_under_the_right_districts():
    result = units_load_fixture()

    assert result.created == Unit.objects.count()
    districts = Unit.objects.filter(kind=Unit.Kind.DISTRICT)
    assert {d.code: d.short_name for d in districts} == {code: name for code, (name, _) in HA_NAM_DISTRICTS.items()}
    assert Unit.objects.filter(kind=Unit.Kind.COMMUNE).count() == 109
    for code, (_name, communes) in HA_NAM_DISTRICTS.items():
        assert Unit.objects.filter(kind=Unit.Kind.COMMUNE, parent__code=code).count() == communes
    binh_my = Unit.objects.get(code="13501")
    assert (binh_my.short_name, binh_my.parent.short_name) == ("Thị trấn Bình Mỹ", "Huyện Bình Lục")
    assert Unit.objects.get(code="347").name == "Ủy ban nhân dân thành phố Phủ Lý"


@pytest.mark.django_db
def test_fixture_has_every_department_the_seed_names():
    units_load_fixture()
    names = list(Unit.objects.filter(kind=Unit.Kind.DEPARTMENT).values_list("name", flat=True))
    for wanted in SEED_DEPARTMENTS:
        assert any(name.startswith(wanted) for name in names), wanted
    assert Unit.objects.filter(kind=Unit.Kind.DEPARTMENT, parent__isnull=False).count() == 0


@pytest.mark.django_db
def test_divisions_hang_under_departments_or_districts():
    units_load_fixture()
    divisions = Unit.objects.filter(kind=Unit.Kind.DIVISION).select_related("parent")
    assert divisions.exists()
    assert {d.parent.kind for d in divisions} <= {Unit.Kind.DEPARTMENT, Unit.Kind.DISTRICT}
    assert Unit.objects.get(code="352-NV").name == "Phòng Nội vụ huyện Bình Lục"


@pytest.mark.django_db
def test_second_run_creates_and_changes_nothing_and_says_so(capsys):
    call_command("load_units")
    before = {u.pk: (u.name, u.short_name, u.parent_id, u.sort_order, u.search_text) for u in Unit.objects.all()}

    call_command("load_units")

    out = capsys.readouterr().out
    assert "0 created, 0 updated, 205 unchanged" in out
    assert "Nothing to do" in out
    after = {u.pk: (u.name, u.short_name, u.parent_id, u.sort_order, u.search_text) for u in Unit.objects.all()}
    assert after == before


@pytest.mark.django_db
def test_rerun_repairs_a_changed_name_but_keeps_the_active_flag(tmp_path):
    units_load_fixture()
    phu_ly = Unit.objects.get(code="347")
    phu_ly.name = "Tên sai"
    phu_ly.is_active = False
    phu_ly.save()

    result = units_load_fixture()

    phu_ly.refresh_from_db()
    assert (result.created, result.updated) == (0, 1)
    assert phu_ly.name == "Ủy ban nhân dân thành phố Phủ Lý"
    assert "phu ly" in phu_ly.search_text
    assert phu_ly.is_active is False


def test_fixture_file_names_its_source():
    payload = json.loads(HA_NAM_2022_FIXTURE.read_text("utf-8"))
    assert "vietnam-provinces==0.5.0" in payload["source"]
