import pytest
from django.core.management import CommandError, call_command

from units.management.commands.demo_accounts import DEMO_PASSWORD
from units.models import User
from units.roles import Role, user_roles


@pytest.mark.django_db
def test_demo_accounts_one_per_role_and_two_units(settings, ha_nam, capsys):
    settings.DEBUG = True
    call_command("demo_accounts")
    out = capsys.readouterr().out

    for username in ["dieuphoi", "kiemtra", "truongdoan", "lanhdao", "phuly", "sotaichinh"]:
        assert username in out
    assert DEMO_PASSWORD in out
    roles = {u.username: user_roles(u) for u in User.objects.all()}
    assert roles["dieuphoi"] == {Role.COORDINATOR}
    assert roles["kiemtra"] == {Role.INSPECTOR}
    assert roles["lanhdao"] == {Role.LEADERSHIP}
    assert User.objects.get(username="phuly").unit.short_name == "Thành phố Phủ Lý"
    assert User.objects.get(username="sotaichinh").unit.short_name == "Sở Tài chính"
    assert User.objects.get(username="dieuphoi").is_staff
    assert User.objects.get(username="phuly").check_password(DEMO_PASSWORD)


@pytest.mark.django_db
def test_demo_accounts_twice_keeps_one_account_each(settings, ha_nam):
    settings.DEBUG = True
    call_command("demo_accounts")
    call_command("demo_accounts")
    assert User.objects.count() == 6


@pytest.mark.django_db
def test_demo_accounts_refuses_with_debug_off(settings, ha_nam):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("demo_accounts")
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_demo_accounts_with_debug_off_and_force(settings, ha_nam):
    settings.DEBUG = False
    call_command("demo_accounts", "--force")
    assert User.objects.count() == 6


@pytest.mark.django_db
def test_demo_accounts_needs_the_units(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="load_units"):
        call_command("demo_accounts")
