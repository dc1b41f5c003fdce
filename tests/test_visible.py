"""visible_text keeps what a person reads and drops what only the markup holds."""

from tests.visible import visible_text

PAGE = """<!doctype html><html><head><title>Kiosk</title>
<script nonce="a13b">var token = "988";</script><style>.x{}</style></head>
<body><form><input type="hidden" name="csrfmiddlewaretoken" value="Xk13Leo988">
<a href="/q/13abc/" id="member-13">Maria</a>
<img src="/static/a.png" alt="Picture of a tree">
<input type="text" name="note" value="Shown in the field">
<input type="radio" name="item-1" value="3" checked>
<button type="submit" aria-label="Send the answers">Send</button>
<p hidden>Not for now <b>13</b></p><template><p>Later</p></template>
<p>Leo&nbsp;&amp; family</p></form></body></html>"""


def test_text_and_read_attributes_are_kept():
    text = visible_text(PAGE)
    for shown in (
        "Kiosk",
        "Maria",
        "Picture of a tree",
        "Shown in the field",
        "Send the answers",
        "Send",
        "Leo & family",
    ):
        assert shown in text


def test_ids_tokens_nonces_scripts_and_hidden_elements_are_dropped():
    text = visible_text(PAGE)
    for unshown in ("13", "988", "Xk13", "member-", "csrf", "Not for now", "Later"):
        assert unshown not in text


def test_a_response_and_bytes_read_the_same_as_text():
    class Response:
        content = PAGE.encode()

    assert visible_text(Response()) == visible_text(PAGE.encode()) == visible_text(PAGE)
