urlpatterns: list = []  # filled by the clinician pages
