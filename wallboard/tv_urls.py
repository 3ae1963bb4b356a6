"""The TV wallboard, included by the URL root under ``wallboard/``: no login, the signed
token in the path is the whole authority (wallboard.tv)."""

from django.urls import path

from wallboard.views import tv_view

urlpatterns = [
    path("tv/<str:token>/", tv_view, name="wallboard_tv"),
]
