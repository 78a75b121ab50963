"""Fill the per-day theme totals from the daily counts already stored."""

from typing import Any

from django.db import migrations
from django.db.models import Sum


def fill(apps: Any, schema_editor: Any) -> None:
    daily_count = apps.get_model("patterns", "DailyCount")
    theme_day_count = apps.get_model("patterns", "ThemeDayCount")
    totals = (
        daily_count.objects.values("organisation_id", "day", "theme_id")
        .annotate(n=Sum("count"))
        .order_by()
    )
    theme_day_count.objects.bulk_create(
        (
            theme_day_count(
                organisation_id=row["organisation_id"],
                day=row["day"],
                theme_id=row["theme_id"],
                count=row["n"],
            )
            for row in totals.iterator(chunk_size=10_000)
        ),
        batch_size=5_000,
    )


def empty(apps: Any, schema_editor: Any) -> None:
    apps.get_model("patterns", "ThemeDayCount").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("patterns", "0004_theme_day_count")]

    operations = [migrations.RunPython(fill, empty)]
