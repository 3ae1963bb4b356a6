"""REST routes of the billing app."""

urlpatterns = []
