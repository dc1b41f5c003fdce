"""Tests that read the published data sets skip, saying why, where the data
are missing, and fail in CI, where they must be present (tests/shared_data.py)."""

import pytest
from tests.shared_data import data_file


def test_a_missing_data_file_skips_the_test_naming_the_file_and_the_folder(
    tmp_path, monkeypatch
):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TETHER_TEST_DATA", str(tmp_path / "nowhere"))
    with pytest.raises(pytest.skip.Exception) as skipped:
        data_file("pcl5_items_veterans.csv")
    message = str(skipped.value)
    assert "pcl5_items_veterans.csv not found in" in message
    assert str(tmp_path / "nowhere") in message
    assert "TETHER_TEST_DATA" in message


def test_in_ci_a_missing_data_file_fails_the_test(tmp_path, monkeypatch):
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("TETHER_TEST_DATA", str(tmp_path / "nowhere"))
    with pytest.raises(pytest.fail.Exception, match="CI=true but published test data"):
        data_file("pcl5_items_veterans.csv")


def test_a_present_data_file_is_returned(tmp_path, monkeypatch):
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("TETHER_TEST_DATA", str(tmp_path))
    (tmp_path / "claus2020_depression_4waves.csv").write_text("id,time\n1,1\n")
    path = data_file("claus2020_depression_4waves.csv")
    assert path == tmp_path / "claus2020_depression_4waves.csv"
