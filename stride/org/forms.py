"""Forms of the org pages."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

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
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8 CSV with a header row: email, name, title, team, manager_email, time_zone, "
            "hire_date (YYYY-MM-DD), status (active, on_leave or left), external_id. "
            "Only email and name are required."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check the file and show what would change, without saving"),
        required=False,
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MB."),
                params={"limit": MAX_IMPORT_BYTES // (1024 * 1024)},
            )
        return upload
