"""Django admin: superusers only, for users, roles and clinics."""

from django.contrib import admin

from screening.models import Clinic, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "clinic", "role", "can_approve_rulesets"]
    list_filter = ["role", "clinic"]
