"""The portal tests share the people of tests/conftest.py; here both Dr. Ames
and Dr. Baker look after the Rivera family, so a risk alert reaches two
clinicians."""

import pytest

from tether.care import services


@pytest.fixture
def rivera(rivera, ames, baker):
    services.assign_clinicians(ames, rivera.pk, [ames, baker])
    return rivera
