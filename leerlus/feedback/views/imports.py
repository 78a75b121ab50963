# SPDX-License-Identifier: EUPL-1.2
"""Importing a file in the browser: upload, map columns, preview, run, follow, correct.

Every view asks for the import capability and finds the import within the person's own
organisation (another organisation's import is a 404, like a missing one). The import itself
runs as a background job; the progress page polls a fragment every second with htmx and has a
plain "Refresh" link without JavaScript.
"""

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from leerlus.engine import tables
from leerlus.organisations import audit
from leerlus.organisations.permissions import Member, capability_required, member_of
from leerlus.organisations.roles import Capability

from .. import parsing, selectors
from ..forms.imports import CorrectedUploadForm, CorrectionForm, MappingForm, UploadForm
from ..imports import batches, correction, export, summary
from ..imports.detection import batch_detection, batch_new_services
from ..imports.mapping import batch_header, batch_mapping
from ..imports.reasons import ImportFileError, describe_all
from ..models import Channel, ImportBatch
from ..tasks import run_import
from ..vocabulary import channel_code

RECENT_IMPORTS = 10
REJECTED_PER_PAGE = 50
PREVIEW_ROWS = 20


def _batch(member: Member, pk: int) -> ImportBatch:
    return selectors.import_batch_get(organisation=member.organisation, pk=pk)


def _waiting_or_progress(batch: ImportBatch) -> HttpResponse | None:
    if batch.status != ImportBatch.Status.PENDING or not batch.file:
        return redirect("imports:progress", pk=batch.pk)
    return None


@capability_required(Capability.IMPORT_FEEDBACK)
def import_start_view(request: HttpRequest) -> HttpResponse:
    member = member_of(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                batch = batches.import_batch_create(
                    organisation=member.organisation,
                    source=form.cleaned_data["source"],
                    upload=form.cleaned_data["file"],
                    created_by=member.person,
                )
            except ImportFileError as error:
                form.add_error("file", error.message)
            else:
                if batch.file_format in ("eml", "mbox"):
                    return redirect("imports:preview", pk=batch.pk)
                return redirect("imports:mapping", pk=batch.pk)
        status = 400
    recent = selectors.import_batches_of(organisation=member.organisation)[:RECENT_IMPORTS]
    sources = selectors.import_sources_of(organisation=member.organisation)
    return render(
        request,
        "feedback/imports/start.html",
        {"form": form, "recent": recent, "sources": sources},
        status=status,
    )


@capability_required(Capability.IMPORT_FEEDBACK)
def import_mapping_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = member_of(request)
    batch = _batch(member, pk)
    if (elsewhere := _waiting_or_progress(batch)) is not None:
        return elsewhere
    header = batch_header(batch)
    suggested = selectors.suggested_mapping(organisation=member.organisation, batch=batch)
    initial: dict[str, Any] = {f"column_{t}": c for t, c in suggested.columns.items()}
    initial["default_channel"] = (
        channel_code(suggested.defaults.get("channel", "")) or Channel.IMPORT
    )
    initial["date_format"] = suggested.date_format
    initial["create_services"] = suggested.create_services
    detection = batch_detection(batch)
    form = MappingForm(request.POST or None, header=header, initial=initial, detection=detection)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                batches.import_batch_set_mapping(batch=batch, mapping=form.to_mapping())
            except ImportFileError as error:
                form.add_error(None, error.message)
            else:
                return redirect("imports:preview", pk=batch.pk)
        status = 400
    saved = selectors.saved_mapping_exists(organisation=member.organisation, batch=batch)
    return render(
        request,
        "feedback/imports/mapping.html",
        {
            "batch": batch,
            "form": form,
            "header": header,
            "saved": saved,
            "detected": detection is not None,
            "new_services": batch_new_services(batch),
            "column_fields": [form[f"column_{t}"] for t in parsing.TARGET_FIELDS],
        },
        status=status,
    )


@capability_required(Capability.IMPORT_FEEDBACK)
def import_preview_view(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(member_of(request), pk)
    if (elsewhere := _waiting_or_progress(batch)) is not None:
        return elsewhere
    error = ""
    rows: list[batches.PreviewRow] = []
    try:
        rows = batches.import_preview(batch, limit=PREVIEW_ROWS)
    except ImportFileError as failure:
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
    batch = _batch(member_of(request), pk)
    if batch.status == ImportBatch.Status.PENDING and batch.file:
        run_import.delay(batch.pk)
    return redirect("imports:progress", pk=batch.pk)


def _in_progress(batch: ImportBatch) -> bool:
    """Waiting or running; an interrupted import is shown with its result, to be resumed."""
    if batch.status == ImportBatch.Status.RUNNING:
        return not batch.interrupted
    return batch.status == ImportBatch.Status.PENDING


def _progress_context(batch: ImportBatch) -> dict[str, Any]:
    return {"batch": batch, "running": _in_progress(batch)}


@capability_required(Capability.IMPORT_FEEDBACK)
def import_progress_view(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(member_of(request), pk)
    context = _progress_context(batch)
    if request.headers.get("HX-Request"):
        return render(request, "feedback/imports/partials/progress.html", context)
    if not context["running"]:
        return redirect("imports:result", pk=batch.pk)
    return render(request, "feedback/imports/progress.html", context)


@capability_required(Capability.IMPORT_FEEDBACK)
def import_result_view(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(member_of(request), pk)
    if _in_progress(batch):
        return redirect("imports:progress", pk=batch.pk)
    return _render_result(request, batch, CorrectedUploadForm())


@require_POST
@capability_required(Capability.IMPORT_FEEDBACK)
def import_resume_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Run an interrupted browser import again, from the file it keeps."""
    member = member_of(request)
    batch = _batch(member, pk)
    if not batch.file:
        messages.error(
            request, _("The file of this import is gone: resume it where it was started.")
        )
        return redirect("imports:result", pk=batch.pk)
    resumed = batches.import_batch_resume(batch=batch, resumed_by=member.person, request=request)
    if resumed is None:
        messages.info(request, _("This import is not interrupted: there is nothing to resume."))
    else:
        run_import.delay(resumed.pk)
    return redirect("imports:progress", pk=batch.pk)


def _render_result(
    request: HttpRequest, batch: ImportBatch, upload_form: CorrectedUploadForm, status: int = 200
) -> HttpResponse:
    organisation = member_of(request).organisation
    rejected = selectors.rejected_rows_of(organisation=organisation, batch=batch)
    page = Paginator(rejected, REJECTED_PER_PAGE).get_page(request.GET.get("page"))
    mapping = batch_mapping(batch)
    text_column = mapping.columns.get("text", "")
    date_column = mapping.columns.get("received_at", "")
    rows = [
        {
            "row": row,
            "text": (row.values or {}).get(text_column, "")
            or (row.values or {}).get(tables.RAW_LINE, ""),
            "date": (row.values or {}).get(date_column, ""),
            "reasons": describe_all(row.reasons or []),
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
            "open_rows": selectors.open_rejected_rows_count(organisation=organisation, batch=batch),
            "recoded": summary.recoded_summary(batch),
            "resume_command": summary.resume_command(batch),
            "form": upload_form,
        },
        status=status,
    )


@capability_required(Capability.IMPORT_FEEDBACK)
def import_rejected_csv_view(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    member = member_of(request)
    batch = _batch(member, pk)
    audit.record(
        action="feedback.import.download_rejected",
        actor=member.person,
        obj=batch,
        organisation=batch.organisation,
        request=request,
    )
    response = StreamingHttpResponse(
        export.rejected_rows_csv(batch), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="rejected-rows-{batch.pk}.csv"'
    return response


@require_POST
@capability_required(Capability.IMPORT_FEEDBACK)
def import_corrected_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = member_of(request)
    batch = _batch(member, pk)
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
                result = correction.rejected_rows_reimport(
                    batch=batch, path=path, corrected_by=member.person
                )
            except ImportFileError as error:
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
    member = member_of(request)
    batch = _batch(member, pk)
    row = selectors.rejected_row_get(organisation=member.organisation, batch=batch, pk=row_pk)
    result_url = reverse("imports:result", args=[batch.pk])
    if row.resolved:
        messages.info(
            request, _("Row %(row)s has been imported already.") % {"row": row.row_number}
        )
        return redirect(result_url)
    mapping = batch_mapping(batch)
    form = CorrectionForm(request.POST or None, row=row, mapping=mapping)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            reasons = correction.rejected_row_correct(
                row=row, values=form.corrected_values(), corrected_by=member.person
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
            "reasons": describe_all(row.reasons or []),
            "other_values": [
                (column, value)
                for column, value in values.items()
                if column not in form.columns.values() and column != tables.ROW_ERROR
            ],
            "result_url": result_url,
        },
        status=status,
    )
