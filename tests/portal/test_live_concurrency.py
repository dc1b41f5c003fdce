"""Submissions over HTTP against a live server, all at once: 50 people store
exactly 50 responses, and one submission sent twice stores one."""

import datetime as dt
import http.cookiejar
import re
import threading
import time
import urllib.parse
import urllib.request

import pytest

from tether.care import services
from tether.care.models import Response
from tether.portal import services as portal

TAC_ITEMS = 13
"""TAC 1.1 (the default) in a family case."""


def opener():
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def fetch_form(browser, url):
    with browser.open(url, timeout=60) as page:
        html = page.read().decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def answers(csrf):
    data = {f"item-{i}": "3" for i in range(1, TAC_ITEMS + 1)}
    data["csrfmiddlewaretoken"] = csrf
    return urllib.parse.urlencode(data).encode()


def submit_all_at_once(jobs):
    """Each job is (browser, url, body); all POST at the same moment."""
    barrier = threading.Barrier(len(jobs))
    statuses = []

    def post(browser, url, body):
        barrier.wait()
        request = urllib.request.Request(url, data=body, headers={"Origin": "null"})
        # A phone retries a connection the server's accept queue dropped; the
        # submission is idempotent, so a retry never stores a second response.
        for attempt in range(8):
            try:
                with browser.open(request, timeout=120) as response:
                    statuses.append(response.status)
                return
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
                return
            except (ConnectionError, urllib.error.URLError):
                time.sleep(0.2 * (attempt + 1))
        statuses.append("unreachable")

    threads = [threading.Thread(target=post, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.fixture
def many_links(transactional_db, ames, rivera, maria, leo):
    """50 links: Maria and Leo over 25 sessions, TAC each."""
    links = []
    for number in range(25):
        session = services.start_session(
            ames,
            rivera.pk,
            dt.date(2026, 1, 1) + dt.timedelta(days=7 * number),
            [maria.pk, leo.pk],
        )
        for member in (maria, leo):
            _, token = portal.issue_invitation(ames, session.pk, member.pk, ["tac"])
            links.append(token)
    return links


def test_fifty_people_submitting_at_once_store_exactly_fifty_responses(
    live_server, many_links
):
    jobs = []
    for token in many_links:
        browser = opener()
        url = f"{live_server.url}/q/{token}/tac/"
        jobs.append((browser, url, answers(fetch_form(browser, url))))
    statuses = submit_all_at_once(jobs)
    assert len(statuses) == 50
    assert all(status in (200, 302) for status in statuses), statuses
    assert Response.objects.filter(status=Response.Status.COMPLETE).count() == 50


def test_the_same_submission_sent_twice_at_once_stores_one(live_server, many_links):
    token = many_links[0]
    browser = opener()
    url = f"{live_server.url}/q/{token}/tac/"
    body = answers(fetch_form(browser, url))
    statuses = submit_all_at_once([(browser, url, body), (browser, url, body)])
    assert len(statuses) == 2
    assert Response.objects.filter(status=Response.Status.COMPLETE).count() == 1
    assert Response.objects.count() == 1
