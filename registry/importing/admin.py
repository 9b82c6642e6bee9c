"""The import pages of the admin: upload -> preview (dry run) -> confirm.

django-import-export's ``ImportMixin`` imports row by row through a
``Resource`` and keeps the uploaded file in a temporary folder of the web
process that received it; neither fits imports that must be all or nothing,
near the speed of COPY and confirmable on another web process. So the records
admin gets the same three steps as custom views backed by
``registry.importing``: the upload becomes an :class:`~registry.models.ImportJob`
whose file lives in Django's default storage; the preview is a dry run of the
whole file (every row error listed, downloadable as CSV); confirming imports
it. Files above ``IMPORT_BACKGROUND_THRESHOLD_BYTES`` are checked and imported
by a Celery worker; the page then shows the job's progress.

``ImportJobAdmin`` lists the jobs of the user's departments with their
progress, counts and error reports. Import jobs are about credit records, so
their pages follow the credit-record model permissions (a caseworker sees the
jobs of their departments) rather than a separate set of role permissions.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from creditportal import access
from creditportal.access import Action
from creditportal.admin_scoping import ScopedAdmin
from creditportal.system_text import render as render_system_text

from ..models import CreditRecord, Department, ImportJob
from ..permissions import RegistryPermission
from . import jobs, permissions, reading, report, template

PREVIEW_ERRORS_SHOWN = 1000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
State = ImportJob.State


class ImportUploadForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV (UTF-8, GB18030/GBK or UTF-16, comma- or tab-separated: also Excel's “Unicode text”) or XLSX; "
            "the first row names the columns."
        ),
    )
    encoding = forms.ChoiceField(label=_("Encoding of a CSV file"), choices=ImportJob.Encoding.choices,
                                 initial=ImportJob.Encoding.AUTO)  # fmt: skip

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        departments = permissions.import_departments(user).order_by("path")
        self.fields["department"].queryset = departments
        if departments.count() == 1:
            self.fields["department"].initial = departments.first()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        jobs.check_upload_size(upload.size)
        if not upload.name.lower().endswith(jobs.ALLOWED_SUFFIXES):
            raise ValidationError(_("Import a .csv or .xlsx file."), code="file_type")
        return upload


def can_rerun(job: ImportJob) -> bool:
    """Running the same file again can help only when the run itself failed (an
    internal error, a killed worker), not when the file did: a file that failed
    its check fails it again, and the page asks for a corrected file instead."""
    return bool(job.file) and (job.state == State.FAILED or (job.is_running and jobs._is_stale(job)))


def records_url(job: ImportJob) -> str:
    """The records list filtered to the records this job created or changed."""
    return f"{reverse('admin:registry_creditrecord_changelist')}?{ImportJobFilter.parameter_name}={job.pk}"


def _job_context(job: ImportJob) -> dict:
    return {
        "job": job,
        "errors_shown": job.errors[:PREVIEW_ERRORS_SHOWN],
        "errors_more": max(0, job.error_count - PREVIEW_ERRORS_SHOWN),
        "rate": job.rows_per_second,
        "can_confirm": job.state == State.VALIDATED and bool(job.file),
        "can_rerun": can_rerun(job),
        "records_url": records_url(job) if job.state == State.DONE and job.created_count + job.updated_count else "",
        "upload_again_url": f"{reverse('admin:registry_creditrecord_import')}?department={job.department_id}",
    }


class ImportJobFilter(admin.SimpleListFilter):
    """The records an import job created or changed (``?import_job=<job>``).

    Shown only when set (from a finished import's page): the history rows the
    job wrote carry its reason and one timestamp within the job's run, so the
    records are found through the history table's ``history_date`` index and
    the reason, without any column on the records themselves. A job the user
    may not see matches nothing.
    """

    title = _("import job")
    parameter_name = "import_job"

    def _job(self, request) -> ImportJob | None:
        value = self.value()
        if not value or not str(value).isdigit():
            return None
        if not hasattr(self, "_found"):
            jobs_seen = access.restrict(ImportJob.objects.all(), request.user, Action.VIEW)
            self._found = jobs_seen.filter(pk=int(value), state=State.DONE).first()
        return self._found

    def lookups(self, request, model_admin):
        job = self._job(request)
        if job is None:
            return []
        return [(str(job.pk), gettext("Job %(id)d: %(file)s") % {"id": job.pk, "file": job.file_name})]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        job = self._job(request)
        if job is None or job.started_at is None or job.finished_at is None:
            return queryset.none()
        written = CreditRecord.history.filter(
            history_date__range=(job.started_at, job.finished_at),
            history_change_reason=job.history_reason,
            history_type__in=("+", "~"),
        ).values("id")
        return queryset.filter(pk__in=written)


def error_report_response(job: ImportJob) -> HttpResponse:
    response = HttpResponse(report.errors_csv(job.errors), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-job-{job.pk}-errors.csv"'
    return response


class RecordImportMixin:
    """Adds ``import/`` (upload), ``import/<job>/`` (preview, progress, confirm)
    and ``import/<job>/errors.csv`` to the credit records admin."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_upload_view), name="%s_%s_import" % info),
            path("import/template.csv", wrap(self.import_template_csv_view), name="%s_%s_import_template_csv" % info),
            path(
                "import/template.xlsx", wrap(self.import_template_xlsx_view), name="%s_%s_import_template_xlsx" % info
            ),
            path("import/<int:job_id>/", wrap(self.import_job_view), name="%s_%s_import_job" % info),
            path("import/<int:job_id>/errors.csv", wrap(self.import_errors_view), name="%s_%s_import_errors" % info),
        ] + super().get_urls()

    def has_import_permission(self, request) -> bool:
        return self.has_add_permission(request) and permissions.import_departments(request.user).exists()

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), ImportJobFilter]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": self.has_import_permission(request)}
        return super().changelist_view(request, extra_context)

    def _context(self, request, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "max_upload": filesizeformat(_settings().IMPORT_MAX_UPLOAD_BYTES),
            "columns": reading.COLUMNS,
            **extra,
        }

    def _job(self, request, job_id) -> ImportJob:
        job = access.restrict(ImportJob.objects.select_related("department", "created_by"), request.user, Action.VIEW)
        job = job.filter(pk=job_id).first()
        if job is None:
            raise Http404(_("No such import job."))
        return job

    def import_upload_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
        department = request.GET.get("department", "")
        if request.method != "POST" and department.isdigit():  # "upload a corrected file" keeps the department
            if form.fields["department"].queryset.filter(pk=int(department)).exists():
                form.fields["department"].initial = int(department)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                job = jobs.create_job(data["file"], department=data["department"], acting_user=request.user,
                                      encoding=data["encoding"])  # fmt: skip
                jobs.submit(job, mode=jobs.CHECK, acting_user=request.user)
            except ValidationError as exc:
                form.add_error("file", exc)
            except PermissionDenied as exc:
                form.add_error("department", str(exc))
            else:
                return HttpResponseRedirect(reverse("admin:registry_creditrecord_import_job", args=[job.pk]))
        context = self._context(request, gettext("Import credit records"), form=form)
        return TemplateResponse(request, "admin/registry/creditrecord/import_upload.html", context)

    def import_job_view(self, request, job_id):
        job = self._job(request, job_id)
        if request.method == "POST":
            action = request.POST.get("action")
            mode = {"confirm": jobs.IMPORT, "rerun": jobs.IMPORT, "recheck": jobs.CHECK}.get(action)
            if mode is None:
                raise Http404
            if action == "rerun" and not can_rerun(job):
                self.message_user(
                    request,
                    gettext(
                        "This file failed its check: running it again gives the same result. Upload a corrected file."
                    ),
                    messages.WARNING,
                )
                return HttpResponseRedirect(request.path)
            try:
                started = jobs.submit(job, mode=mode, acting_user=request.user)
            except PermissionDenied:
                raise
            if started is None:
                self.message_user(request, gettext("The job cannot be started in its present state."), messages.WARNING)
            job.refresh_from_db()
            if job.state == State.DONE:
                self.message_user(
                    request,
                    gettext("Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
                    % {"created": job.created_count, "updated": job.updated_count, "unchanged": job.unchanged_count},
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(request.path)
        can_change = permissions.may_import(request.user, job.department)
        context = self._context(
            request,
            gettext("Import %(file)s") % {"file": job.file_name},
            can_change=can_change,
            errors_url=reverse("admin:registry_creditrecord_import_errors", args=[job.pk]),
            job_admin_url=reverse("admin:registry_importjob_change", args=[job.pk]),
            **_job_context(job),
        )
        return TemplateResponse(request, "admin/registry/creditrecord/import_job.html", context)

    def import_errors_view(self, request, job_id):
        return error_report_response(self._job(request, job_id))

    def import_template_csv_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        response = HttpResponse(template.template_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, template.CSV_NAME)
        return response

    def import_template_xlsx_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        response = HttpResponse(template.template_xlsx(), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, template.XLSX_NAME)
        return response


def _settings():
    from django.conf import settings

    return settings


class ImportJobAdmin(ScopedAdmin):
    list_display = ["id", "file_name", "department", "state", "progress", "created_count", "updated_count",
                    "unchanged_count", "error_count", "created_by", "created_at"]  # fmt: skip
    list_filter = ["state"]
    list_select_related = ["department", "created_by"]
    search_fields = ["file_name", "sha256"]
    fields = [
        "file_name", "department", "created_by", "operator_action", "state", "progress", "message",
        "rows_total", "created_count", "updated_count", "unchanged_count", "persons_created", "error_count",
        "error_report", "file_size_shown", "sha256", "encoding", "background", "created_at", "started_at",
        "validated_at", "finished_at", "validation_time", "import_time", "history_link",
    ]  # fmt: skip
    readonly_fields = fields

    @admin.display(description=_("validation time (s)"))
    def validation_time(self, obj):
        return "—" if obj.validation_seconds is None else f"{obj.validation_seconds:.2f}"

    @admin.display(description=_("import time (s)"))
    def import_time(self, obj):
        return "—" if obj.import_seconds is None else f"{obj.import_seconds:.2f}"

    change_form_template = "admin/registry/importjob/change_form.html"

    # Jobs are about credit records: the same model permissions, scoped by department.
    def has_view_permission(self, request, obj=None):
        user = request.user
        if not (
            user.has_perm(RegistryPermission.VIEW_CREDITRECORD) or user.has_perm(RegistryPermission.VIEW_IMPORTJOB)
        ):
            return False
        return obj is None or access.can(user, Action.VIEW, obj)

    def has_add_permission(self, request):
        return False  # jobs are made by uploading a file (credit records -> import)

    def has_change_permission(self, request, obj=None):
        return False  # read-only: state changes go through registry.importing.jobs

    def get_fieldsets(self, request, obj=None):
        return [(None, {"fields": self.fields})]

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("<int:job_id>/errors.csv", self.admin_site.admin_view(self.errors_view), name="%s_%s_errors" % info)
        ] + super().get_urls()

    def errors_view(self, request, job_id):
        job = self.get_queryset(request).filter(pk=job_id).first()
        if job is None or not self.has_view_permission(request, job):
            raise Http404
        return error_report_response(job)

    @admin.display(description=_("progress"))
    def progress(self, obj):
        rate = obj.rows_per_second
        text = f"{obj.percent}% ({obj.rows_done:,}/{obj.rows_total:,})"
        if rate:
            text += " · " + gettext("%(rate)s rows/s") % {"rate": f"{rate:,.0f}"}
        return format_html('<progress max="100" value="{}"></progress> {}', obj.percent, text)

    @admin.display(description=_("file size"))
    def file_size_shown(self, obj):
        return filesizeformat(obj.file_size)

    @admin.display(description=_("error report"))
    def error_report(self, obj):
        if not obj.error_count:
            return "—"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((e.get("row") or "", e.get("column"), e.get("value"), e.get("message")) for e in obj.errors[:200]),
        )
        link = reverse("admin:registry_importjob_errors", args=[obj.pk])
        return format_html(
            '<p><a href="{}">{}</a></p><table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>',
            link, gettext("Download the error report (CSV)"), gettext("Row"), gettext("Column"), gettext("Value"),
            gettext("Problem"), rows,
        )  # fmt: skip

    @admin.display(description=_("records written"))
    def history_link(self, obj):
        url = reverse("admin:registry_creditrecord_import_job", args=[obj.pk])
        shown = format_html(
            '{} <code>{}</code> · <a href="{}">{}</a>',
            gettext("History rows carry the reason"), render_system_text(obj.history_reason), url, gettext("Open the import page"),
        )  # fmt: skip
        if obj.state == State.DONE and obj.created_count + obj.updated_count:
            shown += format_html(
                ' · <a href="{}">{}</a>', records_url(obj), gettext("Show the records this import created or changed")
            )
        return shown
