import os

from django.core.wsgi import get_wsgi_application

from tether import config

# Also when a server imports this module without `tether serve`: what Tether
# creates is its user's alone (docs/operations.md §Files).
config.keep_files_private()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tether.settings")
application = get_wsgi_application()
