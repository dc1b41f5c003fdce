"""Every response tells the browser that no Tether page may use the camera,
the microphone, the location or the other features no page needs."""

from django.urls import reverse

from tether.core.headers import PERMISSIONS_POLICY


def test_the_policy_denies_camera_microphone_and_location():
    features = dict(part.split("=") for part in PERMISSIONS_POLICY.split(", "))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()"
    assert "clipboard-write" not in features  # "copy link" uses it


def test_pages_redirects_errors_and_static_files_carry_the_policy(client, db):
    responses = {
        "page": client.get(reverse("login")),
        "redirect": client.get(reverse("caseload")),
        "not found": client.get("/no-such-page/"),
        "static": client.get("/static/core/copy.js"),
    }
    assert {name: r.status_code for name, r in responses.items()} == {
        "page": 200,
        "redirect": 302,
        "not found": 404,
        "static": 200,
    }
    for response in responses.values():
        assert response.headers["Permissions-Policy"] == PERMISSIONS_POLICY
