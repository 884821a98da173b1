"""A starter synonym list; staff extend it in the admin (Snippets → Search synonyms)."""

from django.db import migrations

STARTER = [
    ("蛭子", "蛏子, 缢蛏, chengzi"),
    ("石斛", "枫斗, 铁皮枫斗"),
    ("刺绣", "绣品, 手绣"),
]


def add_starter(apps, schema_editor):
    Synonym = apps.get_model("catalogue_search", "Synonym")
    for term, variants in STARTER:
        Synonym.objects.get_or_create(term=term, defaults={"variants": variants})


class Migration(migrations.Migration):
    dependencies = [("catalogue_search", "0001_initial")]

    operations = [migrations.RunPython(add_starter, migrations.RunPython.noop)]
