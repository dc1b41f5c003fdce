from django.urls import path

from . import admin_views, audit_views, plan_views, sharing_views, views

urlpatterns = [
    path("cases/", views.caseload, name="caseload"),
    path("cases/new/", views.case_create, name="case-create"),
    path("cases/assignments/", admin_views.case_assignments, name="case-assignments"),
    path("clinic/settings/", admin_views.clinic_settings, name="clinic-settings"),
    path(
        "clinic/settings/thresholds/",
        admin_views.clinic_thresholds,
        name="clinic-thresholds",
    ),
    path("clinic/plan/", admin_views.clinic_plan_page, name="clinic-plan"),
    path(
        "clinic/plan/confirm/",
        admin_views.clinic_plan_confirm,
        name="clinic-plan-confirm",
    ),
    path(
        "clinic/plan/<int:plan_id>/remove/",
        admin_views.clinic_plan_remove,
        name="clinic-plan-remove",
    ),
    path("clinic/audit/", audit_views.audit_log, name="audit-log"),
    path("clinic/audit/export/", audit_views.audit_log_csv, name="audit-log-export"),
    path("cases/<int:case_id>/", views.case_detail, name="case-detail"),
    path("cases/<int:case_id>/close/", views.case_close, name="case-close"),
    path(
        "cases/<int:case_id>/clinicians/",
        views.case_clinicians,
        name="case-clinicians",
    ),
    path("cases/<int:case_id>/plan/", plan_views.case_plan, name="case-plan"),
    path(
        "cases/<int:case_id>/plan/default/",
        plan_views.case_plan_default,
        name="case-plan-default",
    ),
    path(
        "cases/<int:case_id>/plan/<int:plan_id>/remove/",
        plan_views.case_plan_remove,
        name="case-plan-remove",
    ),
    path("cases/<int:case_id>/members/new/", views.member_add, name="member-add"),
    path(
        "cases/<int:case_id>/members/<int:member_id>/sharing/",
        sharing_views.member_sharing,
        name="member-sharing",
    ),
    path(
        "cases/<int:case_id>/subsystems/",
        views.subsystem_edit,
        name="subsystem-edit",
    ),
    path(
        "cases/<int:case_id>/sessions/new/",
        views.session_start,
        name="session-start",
    ),
    path("sessions/<int:session_id>/", views.session_detail, name="session-detail"),
    path(
        "sessions/<int:session_id>/attendance/",
        views.session_attendance,
        name="session-attendance",
    ),
    path(
        "sessions/<int:session_id>/enter/",
        views.session_enter,
        name="session-enter",
    ),
    path(
        "alerts/<int:signal_id>/acknowledge/",
        views.alert_acknowledge,
        name="alert-acknowledge",
    ),
]
