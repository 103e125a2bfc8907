"""Pages of the village host for this area; included at the root of balai.urls_village."""

urlpatterns: list = []
