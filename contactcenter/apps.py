from django.apps import AppConfig


class ContactcenterConfig(AppConfig):
    name = "contactcenter"
    verbose_name = "Shared plumbing"
