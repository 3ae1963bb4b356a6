"""REST routes of the agents app."""

urlpatterns = []
