"""Importing a file in the browser: upload, map columns, preview, run, follow, correct.

Every view asks for the import capability and finds the import within the person's own
organisation (another organisation's import is a 404, like a missing one). The import itself
runs as a background job; the progress page polls a fragment every second with htmx and has a
plain "Refresh" link without JavaScript.
"""

import tempfile
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from leerlus.core.forms import AccessibleFormMixin
from leerlus.organisations import audit
from leerlus.organisations.models import User
from leerlus.organisations.permissions import capability_required, staff_user
from leerlus.organisations.roles import Capability

from . import importing, parsing
from .models import Channel, ImportBatch, ImportMapping, RejectedRow
from .tasks import run_import
from .vocabulary import channel_code

ACCEPT = ",".join(parsing.ACCEPTED_EXTENSIONS)
RECENT_IMPORTS = 10
REJECTED_PER_PAGE = 50
PREVIEW_ROWS = 20

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
    except parsing.ParseError as error:
        raise forms.ValidationError(importing.describe_parse_error(error)) from error
    if tables_only and file_format in ("eml", "mbox"):
        raise forms.ValidationError(
            _("Upload the corrected rows as a CSV, XLSX or JSONL file."), code="format"
        )
    if (getattr(upload, "size", 0) or 0) > importing.MAX_UPLOAD_BYTES:
        raise forms.ValidationError(
            _("The file is larger than %(limit)s MB; split it or use the command line.")
            % {"limit": importing.MAX_UPLOAD_BYTES // (1024 * 1024)},
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
        max_length=importing.MAX_SOURCE,
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

    def __init__(self, *args: Any, header: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("— not in the file —")), *((c, c) for c in header)]
        fields: dict[str, forms.Field] = {}
        for target in parsing.TARGET_FIELDS:
            fields[f"column_{target}"] = forms.ChoiceField(
                label=TARGET_LABELS[target],
                choices=choices,
                required=target in ("text", "received_at"),
            )
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
            columns=columns, defaults=defaults, date_format=data.get("date_format") or ""
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

    def show_reasons(self, reasons: list[importing.Reason]) -> None:
        for item in reasons:
            name = f"value_{item.get('field', '')}"
            self.add_error(name if name in self.fields else None, importing.describe(item))


def _user(request: HttpRequest) -> User:
    return staff_user(request)


def _batch(request: HttpRequest, pk: int) -> ImportBatch:
    return importing.import_batch_get(user=_user(request), pk=pk)


def _waiting_or_progress(batch: ImportBatch) -> HttpResponse | None:
    if batch.status != ImportBatch.Status.PENDING or not batch.file:
        return redirect("imports:progress", pk=batch.pk)
    return None


@capability_required(Capability.IMPORT_FEEDBACK)
def import_start_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    assert user.organisation is not None
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                batch = importing.import_batch_create(
                    organisation=user.organisation,
                    source=form.cleaned_data["source"],
                    upload=form.cleaned_data["file"],
                    created_by=user,
                )
            except importing.ImportFileError as error:
                form.add_error("file", error.message)
            else:
                if batch.file_format in ("eml", "mbox"):
                    return redirect("imports:preview", pk=batch.pk)
                return redirect("imports:mapping", pk=batch.pk)
        status = 400
    recent = importing.import_batches_of(user=user)[:RECENT_IMPORTS]
    sources = ImportMapping.objects.filter(organisation=user.organisation).values_list(
        "source", flat=True
    )
    return render(
        request,
        "feedback/imports/start.html",
        {"form": form, "recent": recent, "sources": sorted(sources)},
        status=status,
    )


@capability_required(Capability.IMPORT_FEEDBACK)
def import_mapping_view(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if (elsewhere := _waiting_or_progress(batch)) is not None:
        return elsewhere
    header = importing.batch_header(batch)
    suggested = importing.suggested_mapping(batch)
    initial: dict[str, Any] = {f"column_{t}": c for t, c in suggested.columns.items()}
    initial["default_channel"] = (
        channel_code(suggested.defaults.get("channel", "")) or Channel.IMPORT
    )
    initial["date_format"] = suggested.date_format
    form = MappingForm(request.POST or None, header=header, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                importing.import_batch_set_mapping(batch=batch, mapping=form.to_mapping())
            except importing.ImportFileError as error:
                form.add_error(None, error.message)
            else:
                return redirect("imports:preview", pk=batch.pk)
        status = 400
    saved = ImportMapping.objects.filter(
        organisation=batch.organisation, source=batch.source
    ).exists()
    return render(
        request,
        "feedback/imports/mapping.html",
        {
            "batch": batch,
            "form": form,
            "header": header,
            "saved": saved,
            "column_fields": [form[f"column_{t}"] for t in parsing.TARGET_FIELDS],
        },
        status=status,
    )


@capability_required(Capability.IMPORT_FEEDBACK)
def import_preview_view(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if (elsewhere := _waiting_or_progress(batch)) is not None:
        return elsewhere
    error = ""
    rows: list[importing.PreviewRow] = []
    try:
        rows = importing.import_preview(batch, limit=PREVIEW_ROWS)
    except importing.ImportFileError as failure:
        error = failure.message
    return render(
        request,
        "feedback/imports/preview.html",
        {
            "batch": batch,
            "rows": rows,
            "error": error,
            "accepted": sum(1 for r in rows if r.signal is not None),
            "mail": batch.file_format in ("eml", "mbox"),
        },
    )


@require_POST
@capability_required(Capability.IMPORT_FEEDBACK)
def import_run_view(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if batch.status == ImportBatch.Status.PENDING and batch.file:
        run_import.delay(batch.pk)
    return redirect("imports:progress", pk=batch.pk)


def _progress_context(batch: ImportBatch) -> dict[str, Any]:
    return {
        "batch": batch,
        "running": batch.status in (ImportBatch.Status.PENDING, ImportBatch.Status.RUNNING),
    }


@capability_required(Capability.IMPORT_FEEDBACK)
def import_progress_view(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    context = _progress_context(batch)
    if request.headers.get("HX-Request"):
        return render(request, "feedback/imports/partials/progress.html", context)
    if not context["running"]:
        return redirect("imports:result", pk=batch.pk)
    return render(request, "feedback/imports/progress.html", context)


@capability_required(Capability.IMPORT_FEEDBACK)
def import_result_view(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if batch.status in (ImportBatch.Status.PENDING, ImportBatch.Status.RUNNING):
        return redirect("imports:progress", pk=batch.pk)
    return _render_result(request, batch, CorrectedUploadForm())


def _render_result(
    request: HttpRequest, batch: ImportBatch, upload_form: CorrectedUploadForm, status: int = 200
) -> HttpResponse:
    rejected = batch.rejected_rows.order_by("resolved", "row_number", "pk")
    page = Paginator(rejected, REJECTED_PER_PAGE).get_page(request.GET.get("page"))
    mapping = importing.batch_mapping(batch)
    text_column = mapping.columns.get("text", "")
    date_column = mapping.columns.get("received_at", "")
    rows = [
        {
            "row": row,
            "text": (row.values or {}).get(text_column, "")
            or (row.values or {}).get(parsing.RAW_LINE, ""),
            "date": (row.values or {}).get(date_column, ""),
            "reasons": importing.describe_all(row.reasons or []),
        }
        for row in page.object_list
    ]
    return render(
        request,
        "feedback/imports/result.html",
        {
            "batch": batch,
            "page": page,
            "rows": rows,
            "open_rows": batch.rejected_rows.filter(resolved=False).count(),
            "form": upload_form,
        },
        status=status,
    )


@login_required
def import_rejected_csv_view(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    # Not @capability_required: that decorator is typed for plain responses, this one streams.
    if not _user(request).can(Capability.IMPORT_FEEDBACK):
        raise PermissionDenied
    batch = _batch(request, pk)
    audit.record(
        action="feedback.import.download_rejected",
        actor=_user(request),
        obj=batch,
        organisation=batch.organisation,
        request=request,
    )
    response = StreamingHttpResponse(
        importing.rejected_rows_csv(batch), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="rejected-rows-{batch.pk}.csv"'
    return response


@require_POST
@capability_required(Capability.IMPORT_FEEDBACK)
def import_corrected_view(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    form = CorrectedUploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["corrected"]
        suffix = Path(upload.name or "corrected.csv").suffix.lower()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"corrected{suffix}"
            with path.open("wb") as out:
                for piece in upload.chunks():
                    out.write(piece)
            try:
                result = importing.rejected_rows_reimport(
                    batch=batch, path=path, corrected_by=_user(request)
                )
            except importing.ImportFileError as error:
                form.add_error("corrected", error.message)
            else:
                messages.success(
                    request,
                    _(
                        "Corrected rows imported: %(imported)s new, %(duplicates)s already "
                        "present, %(resolved)s rejected rows resolved, %(rejected)s still "
                        "wrong."
                    )
                    % vars(result),
                )
                return redirect("imports:result", pk=batch.pk)
    return _render_result(request, batch, form, status=400)


@capability_required(Capability.IMPORT_FEEDBACK)
def import_correct_row_view(request: HttpRequest, pk: int, row_pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    row = importing.rejected_row_get(batch=batch, pk=row_pk)
    result_url = reverse("imports:result", args=[batch.pk])
    if row.resolved:
        messages.info(
            request, _("Row %(row)s has been imported already.") % {"row": row.row_number}
        )
        return redirect(result_url)
    mapping = importing.batch_mapping(batch)
    form = CorrectionForm(request.POST or None, row=row, mapping=mapping)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            reasons = importing.rejected_row_correct(
                row=row, values=form.corrected_values(), corrected_by=_user(request)
            )
            if not reasons:
                messages.success(
                    request, _("Row %(row)s has been imported.") % {"row": row.row_number}
                )
                return redirect(result_url)
            form.show_reasons(reasons)
        status = 400
    values = row.values if isinstance(row.values, dict) else {}
    return render(
        request,
        "feedback/imports/correct.html",
        {
            "batch": batch,
            "row": row,
            "form": form,
            "reasons": importing.describe_all(row.reasons or []),
            "other_values": [
                (column, value)
                for column, value in values.items()
                if column not in form.columns.values() and column != parsing.ROW_ERROR
            ],
            "result_url": result_url,
        },
        status=status,
    )
