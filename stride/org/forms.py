"""Forms of the org pages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from stride.lib.tabular import Field

# Generous for an HR export (10,000 people is about 1 MB) while keeping memory bounded.
MAX_IMPORT_BYTES = 20 * 1024 * 1024


class PeopleSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search people"),
        required=False,
        max_length=100,
        help_text=_("Name, e-mail, title or team"),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class PeopleImportForm(forms.Form):
    """The import page's form. First step: the file (CSV or XLSX), a sheet, invitations, dry
    run. When the file's header needs a person's eye, the page shows the mapping step: the
    same form with the uploaded file kept server-side (``upload``) and one select per field
    listing the file's columns (``map_<field>``), built from ``header``."""

    file = forms.FileField(
        label=_("File (CSV or Excel)"),
        required=False,
        help_text=_(
            "An export from your HR system: a CSV file (UTF-8; commas, semicolons or tabs) or "
            "an Excel workbook (.xlsx) with a header row. Columns such as Work Email, Full "
            "Name, Manager Email, Employee ID, Start Date or Time Zone are recognised; you "
            "can match any other column to a field in the next step. Only e-mail and name "
            "are required."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    sheet = forms.CharField(
        label=_("Sheet"),
        required=False,
        max_length=31,  # Excel's own limit on a sheet's name
        help_text=_("Excel files only: the sheet to read. Leave empty for the first sheet."),
    )
    upload = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)
    invite = forms.BooleanField(
        label=_("Send invitations: e-mail each new person a link to set their password"),
        required=False,
        initial=True,
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check the file and show what would change, without saving"),
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        header: Sequence[str] | None = None,
        fields: Sequence[Field] = (),
        mapped: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.mapping_fields: list[str] = []
        if header is None:
            return
        columns = [("", _("— not in this file —"))] + [(t, t) for t in header if t]
        for field in fields:
            name = f"map_{field.name}"
            self.fields[name] = forms.ChoiceField(
                label=field.label,
                choices=columns,
                required=field.required,
                initial=(mapped or {}).get(field.name, ""),
                help_text=_("Required") if field.required else "",
            )
            self.mapping_fields.append(name)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("file") and not data.get("upload"):
            self.add_error("file", forms.ValidationError(_("This field is required.")))
        return data

    def clean_file(self) -> UploadedFile | None:
        upload: UploadedFile | None = self.cleaned_data.get("file")
        if upload is not None and upload.size is not None and upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MB."),
                params={"limit": MAX_IMPORT_BYTES // (1024 * 1024)},
            )
        return upload

    def mapping(self) -> dict[str, str] | None:
        """Field → column title as chosen in the mapping step (None in the first step)."""
        if not self.mapping_fields:
            return None
        return {
            name.removeprefix("map_"): self.cleaned_data.get(name) or ""
            for name in self.mapping_fields
        }

    def mapping_bound_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.mapping_fields]
