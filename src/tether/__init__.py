"""Tether: measurement and feedback for the therapeutic alliance."""
