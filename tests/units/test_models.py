import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.factories import UnitFactory
from units.models import Unit, fold_text


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Huyện Bình Lục", "huyen binh luc"),
        ("Phường Đồng Văn", "phuong dong van"),
        ("  Sở   Tài chính ", "so tai chinh"),
        ("Ủy ban nhân dân xã Nguyễn Úy", "uy ban nhan dan xa nguyen uy"),
    ],
)
def test_fold_text_removes_diacritics(text, folded):
    assert fold_text(text) == folded


@pytest.mark.django_db
def test_search_text_follows_renames():
    unit = UnitFactory(name="Sở Ngoại vụ", short_name="Sở Ngoại vụ")
    unit.name = "Sở Đối ngoại"
    unit.save(update_fields=["name"])
    unit.refresh_from_db()
    assert "so doi ngoai" in unit.search_text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "parent_kind", "ok"),
    [
        (Unit.Kind.COMMUNE, Unit.Kind.DISTRICT, True),
        (Unit.Kind.COMMUNE, Unit.Kind.DEPARTMENT, False),
        (Unit.Kind.DIVISION, Unit.Kind.DEPARTMENT, True),
        (Unit.Kind.DIVISION, Unit.Kind.DISTRICT, True),
        (Unit.Kind.DIVISION, Unit.Kind.COMMUNE, False),
        (Unit.Kind.DISTRICT, Unit.Kind.DEPARTMENT, False),
        (Unit.Kind.DEPARTMENT, None, True),
        (Unit.Kind.COMMUNE, None, False),
    ],
)
def test_parent_rules(kind, parent_kind, ok):
    parent = None
    if parent_kind == Unit.Kind.COMMUNE:
        parent = UnitFactory(kind=parent_kind, parent=UnitFactory(kind=Unit.Kind.DISTRICT))
    elif parent_kind:
        parent = UnitFactory(kind=parent_kind)
    unit = Unit(kind=kind, parent=parent, name="Đơn vị thử", short_name="Thử", code="X-1")
    if ok:
        unit.full_clean()
    else:
        with pytest.raises(ValidationError) as error:
            unit.full_clean()
        assert "parent" in error.value.message_dict or "__all__" in error.value.message_dict


@pytest.mark.django_db
def test_database_refuses_a_commune_without_district():
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(kind=Unit.Kind.COMMUNE, name="Xã mồ côi", short_name="Xã mồ côi", code="X-2")


@pytest.mark.django_db
def test_codes_are_unique():
    UnitFactory(code="999")
    with pytest.raises(IntegrityError), transaction.atomic():
        UnitFactory(code="999")


def test_vietnamese_full_name_order():
    from units.models import User

    assert User(last_name="Nguyễn Thị", first_name="Mai").get_full_name() == "Nguyễn Thị Mai"
