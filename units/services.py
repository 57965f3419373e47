import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from units.models import Unit

HA_NAM_2022_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "units_ha_nam_2022.json"
FIXTURE_FIELDS = ("kind", "name", "short_name", "sort_order")


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated)


@transaction.atomic
def units_load_fixture(*, path: Path = HA_NAM_2022_FIXTURE) -> LoadResult:
    """Create or update the units of a fixture file, matched by code.

    Idempotent: a second run with the same file writes nothing. Units not in the file and the
    active flag (a coordinator's decision) are left as they are.
    """
    rows = json.loads(Path(path).read_text("utf-8"))["units"]
    existing = {unit.code: unit for unit in Unit.objects.all()}
    result = LoadResult()
    # Parents come first in the file; a row may only name a parent already seen.
    for row in rows:
        parent = existing[row["parent"]] if row["parent"] else None
        unit = existing.get(row["code"])
        if unit is None:
            unit = Unit(code=row["code"], parent=parent, **{f: row[f] for f in FIXTURE_FIELDS})
            unit.full_clean()
            unit.save()
            existing[unit.code] = unit
            result.created += 1
            continue
        changed = [f for f in FIXTURE_FIELDS if getattr(unit, f) != row[f]]
        if unit.parent_id != (parent.pk if parent else None):
            unit.parent = parent
            changed.append("parent")
        if changed:
            for field in FIXTURE_FIELDS:
                setattr(unit, field, row[field])
            unit.full_clean()
            unit.save(update_fields=changed)
            result.updated += 1
        else:
            result.unchanged += 1
    return result
