"""Tether's own date formats (settings.FORMAT_MODULE_PATH), one per language
that needs them; Django's own are used for the rest."""
