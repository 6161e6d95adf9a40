"""Organisation-wide roles. Managers need none: the reporting tree decides what they see.

Defined here, at the bottom of the layers, so the viewer can name them without importing
``org``; ``org.RoleGrant`` stores them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    HR_ADMIN = "hr_admin", _("HR admin")
    SYSTEM_ADMIN = "system_admin", _("System admin")
