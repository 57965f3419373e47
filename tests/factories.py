import factory
from django.contrib.auth.models import Group

from units.models import Unit, User

TEST_PASSWORD = "mat-khau-thu-nghiem-123"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    kind = Unit.Kind.DEPARTMENT
    name = factory.Sequence(lambda n: f"Sở Thử nghiệm số {n}")
    short_name = factory.LazyAttribute(lambda o: o.name)
    code = factory.Sequence(lambda n: f"T{n:05d}")
    sort_order = factory.Sequence(lambda n: n)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Thử"
    last_name = "Nguyễn Văn"
    password = factory.django.Password(TEST_PASSWORD)


def user_with_role(role: str, **kwargs) -> User:
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=role))
    return user
