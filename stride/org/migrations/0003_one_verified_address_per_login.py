"""Every login ends up with exactly one address: its own, verified and primary.

Before this, anyone could add addresses to their own login on allauth's e-mail page (a
colleague's included) and a password reset could leave an unverified row that blocked
two-factor authentication. Addresses come from HR only, so the login's own e-mail is the
one true address; every other row is removed."""

from django.db import migrations


def one_address_per_login(apps, schema_editor):
    User = apps.get_model("org", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    keep: dict[int, int] = {}
    drop: list[int] = []
    rows = EmailAddress.objects.values_list("pk", "user_id", "email", "user__email")
    for pk, user_id, email, user_email in rows.order_by("pk").iterator():
        if user_id is None or user_id in keep or email.lower() != (user_email or "").lower():
            drop.append(pk)
        else:
            keep[user_id] = pk
    for start in range(0, len(drop), 1000):
        EmailAddress.objects.filter(pk__in=drop[start : start + 1000]).delete()
    EmailAddress.objects.update(verified=True, primary=True)
    missing = [
        EmailAddress(user_id=pk, email=email.lower(), verified=True, primary=True)
        for pk, email in User.objects.exclude(email="").values_list("pk", "email").iterator()
        if pk not in keep
    ]
    EmailAddress.objects.bulk_create(missing, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0002_user_session_epoch"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(one_address_per_login, migrations.RunPython.noop)]
