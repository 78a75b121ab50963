# SPDX-License-Identifier: EUPL-1.2
"""The forms of an import in the browser: the upload, the column mapping, the correction of a
rejected row and the upload of the corrected rows."""

from pathlib import Path
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from leerlus.core.forms import AccessibleFormMixin
from leerlus.engine import columns, tables

from .. import parsing
from ..imports import batches
from ..imports.detection import describe_choice
from ..imports.reasons import Reason, describe, describe_parse_error
from ..models import Channel, RejectedRow

ACCEPT = ",".join(parsing.ACCEPTED_EXTENSIONS)

TARGET_LABELS: dict[str, Any] = {
    "text": gettext_lazy("Text"),
    "received_at": gettext_lazy("Date received"),
    "channel": gettext_lazy("Channel"),
    "service": gettext_lazy("Service"),
    "department": gettext_lazy("Department"),
    "reporter_kind": gettext_lazy("Reporter"),
    "rating": gettext_lazy("Rating (1 to 5)"),
    "location": gettext_lazy("Location"),
    "case_url": gettext_lazy("Case (zaak) web address"),
    "language": gettext_lazy("Language"),
    "external_id": gettext_lazy("External id"),
}


def _check_file(upload: Any, *, tables_only: bool = False) -> None:
    name = Path(getattr(upload, "name", "") or "").name
    try:
        file_format = parsing.format_of(name)
    except tables.ParseError as error:
        raise forms.ValidationError(describe_parse_error(error)) from error
    if tables_only and file_format in ("eml", "mbox"):
        raise forms.ValidationError(
            _("Upload the corrected rows as a CSV, XLSX or JSONL file."), code="format"
        )
    if (getattr(upload, "size", 0) or 0) > batches.MAX_UPLOAD_BYTES:
        raise forms.ValidationError(
            _("The file is larger than %(limit)s MB; split it or use the command line.")
            % {"limit": batches.MAX_UPLOAD_BYTES // (1024 * 1024)},
            code="size",
        )


class UploadForm(AccessibleFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV (UTF-8 or Windows-1252; separated by ; , or tab), XLSX (Excel), JSONL, or "
            "e-mail as EML or MBOX. At most 200 MB; the first row holds the column names."
        ),
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )
    source = forms.CharField(
        label=gettext_lazy("Source"),
        max_length=batches.MAX_SOURCE,
        help_text=gettext_lazy(
            "Where these signals come from, such as “KCC export” or “Survey 2025”. Importing "
            "into the same source again skips the rows that are already there."
        ),
        widget=forms.TextInput(attrs={"list": "import-sources", "autocomplete": "off"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        _check_file(upload)
        return upload

    def clean_source(self) -> str:
        source = " ".join(str(self.cleaned_data["source"]).split())
        if not source:
            raise forms.ValidationError(_("Give the source a name."), code="required")
        return source


class CorrectedUploadForm(AccessibleFormMixin, forms.Form):
    corrected = forms.FileField(
        label=gettext_lazy("Corrected rows"),
        help_text=gettext_lazy(
            "The downloaded CSV with the rows corrected (keep the “row” column: it links each "
            "row to the one it corrects)."
        ),
        widget=forms.FileInput(attrs={"accept": ".csv,.tsv,.xlsx,.jsonl,.ndjson"}),
    )

    def clean_corrected(self) -> Any:
        upload = self.cleaned_data["corrected"]
        _check_file(upload, tables_only=True)
        return upload


class MappingForm(AccessibleFormMixin, forms.Form):
    default_channel = forms.ChoiceField(
        label=gettext_lazy("Channel when the file does not say"),
        choices=Channel.choices,
        initial=Channel.IMPORT,
    )
    date_format = forms.CharField(
        label=gettext_lazy("Date format"),
        required=False,
        max_length=40,
        help_text=gettext_lazy(
            "Only for dates that are not recognised by themselves, in strptime codes such as "
            "%m/%d/%Y. "
            "Recognised: 31-12-2025, 31-12-2025 14:05, 31/12/2025, 2025-12-31, "
            "2025-12-31T14:05:00Z."
        ),
    )
    create_services = forms.BooleanField(
        label=gettext_lazy("Create the services that do not exist yet"),
        required=False,
        help_text=gettext_lazy(
            "A value in the service (category) column that matches none of this "
            "organisation's services becomes a new service. Without this, its rows are kept "
            "aside with the reason, for you to correct."
        ),
    )

    def __init__(
        self,
        *args: Any,
        header: list[str],
        detection: columns.Detection | None = None,
        **kwargs: Any,
    ) -> None:
        """``detection``: what the detector found; each column it chose says why in its help
        text, and :attr:`unsure` lists the fields it is not sure of."""
        super().__init__(*args, **kwargs)
        choices = [("", _("— not in the file —")), *((c, c) for c in header)]
        fields: dict[str, forms.Field] = {}
        self.unsure: list[str] = []
        for target in parsing.TARGET_FIELDS:
            fields[f"column_{target}"] = forms.ChoiceField(
                label=TARGET_LABELS[target],
                choices=choices,
                required=target in ("text", "received_at"),
            )
            choice = detection.choice(target) if detection is not None else None
            if choice is not None and self.initial.get(f"column_{target}") == choice.column:
                fields[f"column_{target}"].help_text = describe_choice(choice)
                if choice.unsure:
                    self.unsure.append(str(TARGET_LABELS[target]))
        # The column choices first, then the two settings.
        fields.update(self.fields)
        self.fields = fields
        self._describe_fields()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        used: dict[str, str] = {}
        for target in parsing.TARGET_FIELDS:
            column = data.get(f"column_{target}")
            if not column:
                continue
            if column in used:
                self.add_error(
                    f"column_{target}",
                    _("Column “%(column)s” is already used for %(other)s.")
                    % {"column": column, "other": TARGET_LABELS[used[column]]},
                )
            used[column] = target
        date_format = data.get("date_format") or ""
        if date_format and "%" not in date_format:
            self.add_error(
                "date_format", _("A date format uses codes such as %%d, %%m and %%Y.") % {}
            )
        return data

    def to_mapping(self) -> parsing.ColumnMapping:
        data = self.cleaned_data
        columns = {
            target: data[f"column_{target}"]
            for target in parsing.TARGET_FIELDS
            if data.get(f"column_{target}")
        }
        defaults = {}
        if data.get("default_channel") and data["default_channel"] != Channel.IMPORT:
            defaults["channel"] = data["default_channel"]
        return parsing.ColumnMapping(
            columns=columns,
            defaults=defaults,
            date_format=data.get("date_format") or "",
            create_services=bool(data.get("create_services")),
        )


class CorrectionForm(AccessibleFormMixin, forms.Form):
    """One field per mapped column of a rejected row."""

    def __init__(self, *args: Any, row: RejectedRow, mapping: parsing.ColumnMapping, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.columns: dict[str, str] = {}
        values = row.values if isinstance(row.values, dict) else {}
        for target in parsing.TARGET_FIELDS:
            column = mapping.columns.get(target)
            if not column:
                continue
            name = f"value_{target}"
            self.columns[name] = column
            self.fields[name] = forms.CharField(
                label=_("%(field)s (column “%(column)s”)")
                % {"field": TARGET_LABELS[target], "column": column},
                required=target in ("text", "received_at"),
                initial=values.get(column, ""),
                widget=forms.Textarea(attrs={"rows": 5}) if target == "text" else forms.TextInput(),
                strip=False,
            )
        self._describe_fields()

    def corrected_values(self) -> dict[str, str]:
        return {column: self.cleaned_data.get(name, "") for name, column in self.columns.items()}

    def show_reasons(self, reasons: list[Reason]) -> None:
        for item in reasons:
            name = f"value_{item.get('field', '')}"
            self.add_error(name if name in self.fields else None, describe(item))
