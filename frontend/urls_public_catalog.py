"""Public-host pages of the cross-village catalog; included at the root of balai.urls_public."""

urlpatterns: list = []
