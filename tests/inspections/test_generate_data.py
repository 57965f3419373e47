"""manage.py generate_data: the Hà Nam scale and its proportions, the same data for the same seed,
refusals, replacement with --force, and the national data file (the national run itself is too slow
for the test suite: see fixtures/README.md for its figures)."""

import io
from collections import Counter

import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import models, transaction
from django.urls import reverse

from inspections import datagen, services
from inspections.models import (
    AppendixRule,
    AppendixValue,
    ChecklistAnswer,
    Conclusion,
    ConclusionRevision,
    Finding,
    Inspection,
    InspectionPlan,
    RemediationAction,
    SelfInspection,
    Submission,
    TeamMember,
)
from inspections.uploads import check_upload
from tests.factories import UnitFactory
from units.models import Unit, User
from units.roles import Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root", "fast_passwords")]

HA_NAM = ["--scale", "ha-nam", "--visits-per-year", "5"]


def generate(*args) -> str:
    out = io.StringIO()
    call_command("generate_data", *HA_NAM, *args, stdout=out)
    return out.getvalue()


def test_ha_nam_scale_has_every_kind_of_row_in_its_proportions():
    output = generate()

    assert "Generated [generate_data] scale=ha-nam seed=2022" in output
    assert "cchc-gen-2022" in output
    assert Unit.objects.count() == 205  # the real registry, through the app's own loader
    plans = list(InspectionPlan.objects.order_by("year"))
    assert [(p.year, p.status) for p in plans] == [(2022, "closed"), (2023, "active")]
    for plan in plans:
        assert plan.team.note.startswith(datagen.MARKER)
        assert plan.areas.count() == 7 and plan.figures.exists() and plan.checklist_items.exists()
        assert plan.directly_inspected_units.count() == 5
        assert plan.team.members.get(role=TeamMember.Role.LEAD).user.username == "gen-lead"
        visits = list(plan.inspections.select_related("plan", "unit"))
        assert len(visits) == 5
        assert all(plan.window_start <= v.date <= plan.window_end and v.date.weekday() < 5 for v in visits)
        assert not any(v.schedule_warnings() for v in visits)
        done = [v for v in visits if v.status == Inspection.Status.DONE]
        for visit in done:
            kinds = set(visit.findings.values_list("kind", flat=True))
            assert kinds == {Finding.Kind.STRENGTH, Finding.Kind.SHORTCOMING}
            if visit.unit.kind == Unit.Kind.DISTRICT:
                assert visit.checklist_answers.exists() and visit.checked_divisions.exists()
        issued = Conclusion.objects.filter(inspection__plan=plan, status=Conclusion.Status.ISSUED).count()
        assert issued >= 0.6 * len(done)  # conclusions issued for most visited units
        # Self-inspecting districts inspected at least the plan's minimum of their subordinate units.
        self_inspecting = plan.self_inspecting_units().filter(kind=Unit.Kind.DISTRICT)
        coverages = services.district_coverages(plan, self_inspecting)
        assert coverages and all(c.percent >= plan.district_min_ratio for c in coverages)
        assert SelfInspection.objects.filter(plan=plan).count() >= 0.9 * plan.self_inspecting_units().count()

    assert ConclusionRevision.objects.filter(number=2).exists()  # reissued after reopening, with a reason
    assert ConclusionRevision.objects.exclude(reopen_reason="").exists()
    statuses = Counter(RemediationAction.objects.values_list("status", flat=True))
    assert set(statuses) == set(RemediationAction.Status.values)
    assert statuses["verified"] > statuses["returned"]
    for action in RemediationAction.objects.prefetch_related("reports", "reviews"):
        assert action.version == 1 + len(action.reports.all()) + len(action.reviews.all())
        last_review = max(action.reviews.all(), key=lambda r: r.reviewed_at, default=None)
        if action.status == RemediationAction.Status.VERIFIED:
            assert last_review.decision == "verified"
        if action.status != RemediationAction.Status.OPEN:
            assert action.conclusion.is_issued
    assert Finding.history.count() == Finding.objects.count()  # audit trail, dated when recorded
    assert set(Submission.objects.values_list("kind", flat=True)) == set(Submission.Kind.values)
    assert ChecklistAnswer.objects.filter(answer="no", finding__isnull=False).exists()


def test_appendix_figures_keep_the_plans_rules():
    generate("--years", "2022")
    values = {(v.unit_id, v.figure.code): v.value for v in AppendixValue.objects.select_related("figure")}
    units = {unit for unit, _code in values}
    assert units
    for rule in AppendixRule.objects.all():
        for unit in units:
            assert sum(values[unit, code] for code in rule.part_codes) <= values[unit, rule.total]


def test_accounts_one_role_each_with_the_printed_password():
    generate("--years", "2022")
    users = list(User.objects.prefetch_related("groups"))
    assert all(u.username.startswith("gen-") and len(u.groups.all()) == 1 for u in users)
    roles = Counter(u.groups.all()[0].name for u in users)
    assert roles[Role.COORDINATOR] == 3 and roles[Role.LEADERSHIP] == 1 and roles[Role.INSPECTOR] >= 6
    assert roles[Role.UNIT_STAFF] == Unit.objects.filter(kind__in=["department", "district"]).count()
    unit_user = User.objects.get(username="gen-unit-347")
    assert unit_user.unit.code == "347"
    assert unit_user.check_password(datagen.PASSWORD)


def test_stored_files_exist_and_pass_the_upload_check():
    generate("--years", "2022")
    submission = Submission.objects.first()
    data = default_storage.open(submission.file.name).read()
    checked = check_upload(SimpleUploadedFile("bao-cao.pdf", data))
    assert (checked.extension, checked.size, checked.sha256) == ("pdf", submission.size, submission.sha256)


def test_files_option_writes_one_file_per_row():
    generate("--years", "2022", "--visits-per-year", "2", "--files")
    names = list(Submission.objects.values_list("file", flat=True))
    assert len(set(names)) == len(names)
    assert all(default_storage.exists(name) for name in names)


def test_same_seed_gives_the_same_data_and_another_seed_other_data():
    digests = []
    for seed in ("2022", "2022", "7"):
        with transaction.atomic():
            generate("--years", "2022", "--seed", seed)
            digests.append(datagen.dataset_digest())
            transaction.set_rollback(True)
        assert not InspectionPlan.objects.exists()
    assert digests[0] == digests[1] != digests[2]


def test_second_run_with_the_same_settings_changes_nothing():
    generate("--years", "2022")
    before = datagen.model_counts()

    output = generate("--years", "2022")

    assert "Nothing to do" in output
    assert datagen.model_counts() == before


def test_other_settings_are_refused_then_replace_the_plans_with_force():
    generate("--years", "2022")
    with pytest.raises(CommandError, match="already exist, made with other settings"):
        generate("--years", "2022", "--seed", "7")

    generate("--years", "2022", "--seed", "7", "--force")

    plan = InspectionPlan.objects.get()
    assert "seed=7 " in plan.team.note
    # Nothing left of the first plan: not its rows, not their history.
    assert Finding.history.count() == Finding.objects.count()
    assert Inspection.history.count() == Inspection.objects.count() == 5


def test_refuses_a_database_with_accounts_it_did_not_make(coordinator):
    with pytest.raises(CommandError, match=r"1 accounts not made by generate_data.*coordinator"):
        generate()
    assert not Unit.objects.exists() and not InspectionPlan.objects.exists()


def test_refuses_units_of_another_registry():
    UnitFactory(code="T00001")
    with pytest.raises(CommandError, match="1 units not made by generate_data --scale ha-nam"):
        generate()


def test_force_replaces_the_demo_plan_made_by_the_services(settings, ha_nam):
    settings.DEBUG = True
    call_command("demo_accounts", stdout=io.StringIO())
    services.plan_load_fixture()  # the demo: visits, findings, issued conclusions, remediation
    assert RemediationAction.objects.exists()
    with pytest.raises(CommandError, match=r"accounts not made.*1 plans not made"):
        generate("--years", "2022")

    generate("--years", "2022", "--force")

    plan = InspectionPlan.objects.get()
    assert plan.team.note.startswith(datagen.MARKER)
    assert User.objects.filter(username="dieuphoi").exists()  # other accounts are left alone
    assert not Inspection.objects.exclude(plan=plan).exists()


def test_plan_rows_cover_every_model_that_points_into_a_plan():
    """plans_delete empties PLAN_ROWS in order: a new model holding rows of a plan must join it."""
    wiped = {model for model, _path in datagen.PLAN_ROWS + datagen._report_rows()} | {InspectionPlan}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.object_name.startswith("Historical") or model in wiped:
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.ForeignKey) and field.related_model in wiped:
                pytest.fail(f"{model.__name__}.{field.name} points at {field.related_model.__name__}")


def test_national_data_file_holds_every_district_and_commune_once():
    data = datagen.read_national()
    rows = datagen.registry_rows("national")
    kinds = Counter(row["kind"] for row in rows)

    assert len(data["provinces"]) == 63
    assert 700 <= kinds["district"] <= 712
    assert 10_500 <= kinds["commune"] <= 10_700
    assert kinds["department"] == 63 * 18
    assert kinds["division"] == 12 * kinds["district"]
    codes = [row["code"] for row in rows]
    assert len(set(codes)) == len(codes)
    seen = {}
    for row in rows:  # parents come before their children, and are districts
        if row["parent"]:
            assert seen[row["parent"]] == "district", row
        seen[row["code"]] = row["kind"]
    limits = {f: Unit._meta.get_field(f).max_length for f in ("code", "name", "short_name")}
    assert all(len(row[f]) <= limit for row in rows for f, limit in limits.items())
    by_code = {row["code"]: row for row in rows}
    assert by_code["352"]["name"] == "Ủy ban nhân dân huyện Bình Lục, tỉnh Hà Nam"
    assert by_code["35-SNV"]["name"] == "Sở Nội vụ tỉnh Hà Nam"
    # Hà Nam's communes are the same in both files (both from the same GSO list).
    ha_nam = datagen.registry_rows("ha-nam")
    ha_nam_communes = {row["code"] for row in ha_nam if row["kind"] == "commune"}
    ha_nam_districts = {row["code"] for row in ha_nam if row["kind"] == "district"}
    national_communes = {row["code"] for row in rows if row["kind"] == "commune" and row["parent"] in ha_nam_districts}
    assert national_communes == ha_nam_communes
    # The team's agencies exist at national scale.
    for suffix, _role, _position in datagen.FIRST_GROUP + datagen.OTHER_GROUP:
        assert datagen.NATIONAL_HOME_PREFIX + suffix in by_code


def test_national_units_load_into_the_database():
    rows = datagen.registry_rows("national")

    assert datagen._load_units("national", rows) == len(rows) == Unit.objects.count()

    kinds = dict(Unit.objects.order_by().values_list("kind").annotate(n=models.Count("pk")))
    assert kinds["commune"] == Unit.objects.filter(kind="commune", parent__kind="district").count()
    assert (
        Unit.objects.get(code="352").search_text == "uy ban nhan dan huyen binh luc, tinh ha nam huyen binh luc, ha nam"
    )
    assert datagen._load_units("national", rows) == 0  # only missing units are created


def test_placeholder_pdf_is_accepted_by_the_upload_check():
    data = datagen.pdf_bytes(["Báo cáo (thử) \\ Hà Nam"])
    assert check_upload(SimpleUploadedFile("x.pdf", data)).extension == "pdf"


def test_quotas_keep_proportions_in_small_runs():
    labels = datagen._allot(datagen.random.Random(1), 20, {"a": 70, "b": 20, "c": 10})
    assert Counter(labels) == {"a": 14, "b": 4, "c": 2}


def test_generated_data_renders_for_the_generated_accounts(client):
    generate("--years", "2022")
    visit = Inspection.objects.filter(conclusion__status="issued").first()
    client.force_login(User.objects.get(username="gen-coordinator"))
    for url in (visit.get_absolute_url(), reverse("reports:dashboard", args=[visit.plan_id])):
        assert client.get(url).status_code == 200
    client.force_login(User.objects.get(username=f"gen-unit-{visit.unit.code.lower()}"))
    assert client.get(visit.get_absolute_url()).status_code == 200
