"""Key results remember when they were set up, so pace is measured from there.

Existing key results get the time of their first value record (the set-up writes the
start value there), or their objective's creation time when they have no history."""

import django.utils.timezone
from django.db import migrations, models
from django.db.models import Min, OuterRef, Subquery
from django.db.models.functions import Coalesce


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    KeyResult = apps.get_model("goals", "KeyResult")
    KeyResultUpdate = apps.get_model("goals", "KeyResultUpdate")
    Objective = apps.get_model("goals", "Objective")
    first_value = (
        KeyResultUpdate.objects.filter(key_result_id=OuterRef("pk"))
        .order_by()
        .values("key_result_id")
        .annotate(first=Min("at"))
        .values("first")
    )
    created = Objective.objects.filter(pk=OuterRef("objective_id")).values("created_at")
    KeyResult.objects.update(created_at=Coalesce(Subquery(first_value), Subquery(created)))


class Migration(migrations.Migration):
    dependencies = [("goals", "0002_initial")]

    operations = [
        migrations.AddField(
            model_name="keyresult",
            name="created_at",
            field=models.DateTimeField(editable=False, null=True, verbose_name="set up at"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="keyresult",
            name="created_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, editable=False, verbose_name="set up at"
            ),
        ),
    ]
