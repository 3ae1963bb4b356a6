"""Routes of the operators' pages under /me/ (contactcenter.urls)."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from selfservice import views

app_name = "selfservice"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="selfservice/login.html",
            redirect_authenticated_user=False,
            next_page=reverse_lazy("selfservice:schedule"),
        ),
        name="login",
    ),
    path(
        "logout/",
        auth_views.LogoutView.as_view(next_page=reverse_lazy("selfservice:login")),
        name="logout",
    ),
    path("", views.schedule, name="schedule"),
    path("time-off/", views.time_off_page, name="time-off"),
    path("time-off/<int:request_id>/cancel/", views.time_off_cancel, name="time-off-cancel"),
    path("swaps/", views.swaps_page, name="swaps"),
    path("swaps/offer/", views.swap_offer, name="swap-offer"),
    path("swaps/<int:swap_id>/accept/", views.swap_accept, name="swap-accept"),
    path("swaps/<int:swap_id>/cancel/", views.swap_cancel, name="swap-cancel"),
    path("kpis/", views.my_kpis, name="kpis"),
]
