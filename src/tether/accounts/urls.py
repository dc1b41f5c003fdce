urlpatterns: list = []  # filled by the sign-in pages
