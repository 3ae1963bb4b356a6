"""REST routes of the calls app."""

urlpatterns = []
