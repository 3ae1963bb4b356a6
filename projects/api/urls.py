"""REST routes of the projects app."""

urlpatterns = []
