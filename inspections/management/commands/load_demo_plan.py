from django.core.management.base import BaseCommand

from inspections.services import plan_load_fixture


class Command(BaseCommand):
    help = "Create Hà Nam's 2022 plan with its areas, criteria, team (demo people) and nine visits, if missing."

    def handle(self, *args, **options):
        plan = plan_load_fixture()
        if plan is None:
            self.stdout.write("Nothing to do: the 2022 plan already exists and was left as it is.")
            return
        self.stdout.write(
            f"Created the {plan.year} plan: {plan.areas.count()} content areas, "
            f"{sum(a.criteria.count() for a in plan.areas.all())} criteria, "
            f"{plan.team.members.count()} team members, {plan.inspections.count()} visits."
        )
