from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from units.models import Unit, User
from units.roles import Role

DEMO_PASSWORD = "cchc-demo-2022"

# username, family + middle name, given name, role, unit code, is_staff.
# Invented people, marked as demo in their position; not real officials.
DEMO_ACCOUNTS = [
    ("dieuphoi", "Nguyễn Thị", "Mai", Role.COORDINATOR, None, True),
    ("kiemtra", "Trần Văn", "Hùng", Role.INSPECTOR, None, False),
    ("truongdoan", "Vũ Đức", "Minh", Role.INSPECTOR, None, False),
    ("lanhdao", "Lê Văn", "Thành", Role.LEADERSHIP, None, False),
    ("phuly", "Phạm Thị", "Lan", Role.UNIT_STAFF, "347", False),
    ("sotaichinh", "Hoàng Văn", "Nam", Role.UNIT_STAFF, "STC", False),
]
DEMO_POSITION = "Tài khoản dùng thử (demo)"


class Command(BaseCommand):
    help = "Create one demo account per role (and unit accounts for Phủ Lý and Sở Tài chính)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")

    @transaction.atomic
    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Refusing to create demo accounts with DEBUG off (a production-like setup). "
                "Use --force if you really mean it."
            )
        codes = {account[4] for account in DEMO_ACCOUNTS if account[4]}
        units = {u.code: u for u in Unit.objects.filter(code__in=codes)}
        missing = codes - units.keys()
        if missing:
            raise CommandError(f"Units {sorted(missing)} not found: run `manage.py load_units` first.")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for username, last_name, first_name, role, unit_code, is_staff in DEMO_ACCOUNTS:
            user, created = User.objects.update_or_create(
                username=username,
                defaults={
                    "last_name": last_name,
                    "first_name": first_name,
                    "position": DEMO_POSITION,
                    "unit": units.get(unit_code),
                    "is_staff": is_staff,
                    "is_active": True,
                    "email": f"{username}@demo.invalid",
                },
            )
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            user.groups.set([Group.objects.get(name=role.value)])
            where = f" - {units[unit_code].short_name}" if unit_code else ""
            state = "created" if created else "reset"
            self.stdout.write(f"  {username:<12} {role.label}{where} ({state})")
