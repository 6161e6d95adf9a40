"""Goal pages (``goal_urls``) and check-in pages (``checkin_urls``) share one namespace."""

from stride.goals import checkin_urls, goal_urls

app_name = "goals"
urlpatterns = [*goal_urls.urlpatterns, *checkin_urls.urlpatterns]
