"""People, teams and the reporting tree.

The reporting tree is stored twice on purpose: ``Person.manager`` is the truth, and
``Person.path`` is its materialised form (``/1/7/42/`` — the ids from the root down to the
person, inclusive) so that "everyone under X" is one indexed prefix query and "everyone
above X" needs no query at all. Services in ``org.services`` keep the two in step.
"""

from __future__ import annotations

import zoneinfo

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from stride.access.roles import Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A login. E-mail is the only identifier; the person behind it is ``user.person``."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    # Raised to end every session of this login for good (when the person leaves). It is
    # part of the session hash Django checks on each request, so an old session cookie
    # stays dead even after the person is reactivated; one UPDATE, whatever the number of
    # sessions, and no scan of the session table.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()  # type: ignore[misc,assignment]

    def __str__(self) -> str:
        return self.email

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        if not self.session_epoch:
            # Epoch 0 hashes exactly as Django does, so sessions opened before this field
            # existed stay valid.
            return super()._get_session_auth_hash(secret=secret)  # type: ignore[misc]
        return salted_hmac(
            "stride.org.User.session_auth_hash",
            f"{self.password}|{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            _("%(value)s is not a known time zone (use a name like Europe/Berlin)"),
            params={"value": value},
        ) from None


class Team(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    is_sales = models.BooleanField(_("sales team"), default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ON_LEAVE = "on_leave", _("On leave")
        LEFT = "left", _("Left")

    user = models.OneToOneField(
        "org.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), unique=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    path = models.CharField(max_length=1000, db_index=True, editable=False, default="")
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.ACTIVE)
    external_id = models.CharField(
        _("external id"), max_length=100, null=True, blank=True, unique=True
    )

    class Meta:
        ordering = ["name"]
        indexes = [
            # PostgreSQL only uses an index for LIKE 'prefix%' with the pattern opclass;
            # other databases ignore the opclass and keep the plain index above.
            models.Index(
                fields=["path"], name="person_path_like", opclasses=["varchar_pattern_ops"]
            ),
            # The directory (page and API) lists people by name: read in this order, a page
            # stops after its rows instead of sorting everyone first.
            models.Index(fields=["name", "id"], name="person_name_id"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids of everyone above this person, nearest manager last."""
        return [int(part) for part in self.path.strip("/").split("/")[:-1] if part]

    def is_in_subtree_of(self, other: Person) -> bool:
        """True when ``other`` manages this person, directly or through others."""
        return self.pk != other.pk and self.path.startswith(other.path)

    @property
    def has_left(self) -> bool:
        return self.status == Person.Status.LEFT

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class RoleGrant(models.Model):
    """An organisation-wide role given to a person; managers need none (the tree decides)."""

    Role = Role

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(max_length=32, choices=Role)
    granted_at = models.DateTimeField(auto_now_add=True)
    granted_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "role"], name="rolegrant_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()}"
