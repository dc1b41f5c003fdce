import pandas as pd
import pytest

from tether.instruments import Library, bundled_definitions
from tether.longformat import REQUIRED
from tether.signals import check_scores

LIBRARY = Library(bundled_definitions())
HEADER = list(REQUIRED)


def table(*lines):
    """A checked score table from `case,member,role,respondent,session,instrument,scale,score` lines."""
    rows = [line.split(",") for line in lines]
    return check_scores(pd.DataFrame(rows, columns=HEADER), LIBRARY)


@pytest.fixture
def library():
    return LIBRARY
