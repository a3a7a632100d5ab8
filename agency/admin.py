from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from agency.models import AuditEvent, Job, Team, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "role", "code", "merchant", "team", "is_active")
    list_filter = ("role", "team", "is_active")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("Agency", {"fields": ("role", "display_name", "code", "merchant", "team")}),
    )


admin.site.register(Team)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "verb", "object_type", "object_id")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "title", "status", "progress")
