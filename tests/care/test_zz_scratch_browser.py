import os, datetime as dt
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
import pytest
from playwright.sync_api import sync_playwright
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from tether.care import services

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]

@pytest.mark.django_db(transaction=True)
def test_shots(live_server, ames, rivera, maria, leo):
    for n, (a, b, p) in enumerate([(3.5, 3.0, 50), (3.6, 3.2, 45), (3.4, 1.0, 60), (3.5, 1.2, 70)], 1):
        s = services.start_session(ames, rivera.pk, dt.date(2026, 11, n), [maria.pk, leo.pk])
        services.enter_paper_response(ames, s.pk, "tac", maria.pk, totals={"self": a})
        services.enter_paper_response(ames, s.pk, "tac", leo.pk, totals={"self": b})
        services.enter_paper_response(ames, s.pk, "tac-t", None, respondent="therapist", totals={"family": 3})
        services.enter_paper_response(ames, s.pk, "tac-t", leo.pk, respondent="therapist", totals={"self": 3})
        services.enter_paper_response(ames, s.pk, "pcl-5", leo.pk, totals={"total": p})
        services.enter_paper_response(ames, s.pk, "mspss", leo.pk, totals={"family": 2.5, "total": 4, "friends": 5, "significant-other": 4})
    c = Client(); c.force_login(ames)
    d = TOTPDevice.objects.create(user=ames, name="p", confirmed=True)
    sess = c.session; sess[DEVICE_ID_SESSION_KEY] = d.persistent_id; sess.save()
    cookie = c.cookies["sessionid"].value
    errors = []
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/lib/chromium/chromium", args=ARGS)
        ctx = b.new_context(viewport={"width": 1200, "height": 900})
        ctx.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])
        page = ctx.new_page()
        page.on("console", lambda m: errors.append((m.type, m.text)))
        page.goto(live_server.url + "/cases/")
        page.screenshot(path="/tmp/scratch/caseload.png", full_page=True)
        page.goto(live_server.url + f"/cases/{rivera.pk}/")
        page.wait_for_selector("#alliance-chart .main-svg")
        page.wait_for_timeout(500)
        page.screenshot(path="/tmp/scratch/case.png", full_page=True)
        # htmx acknowledge
        first = page.locator("article.alert").first
        aid = first.get_attribute("id")
        first.locator("textarea").fill("Spoke with Leo.")
        first.locator("button[value=acknowledge]").click()
        page.wait_for_selector(f"#{aid}.done")
        page.locator(f"#{aid}").screenshot(path="/tmp/scratch/acked.png")
        s1 = rivera.sessions.get(number=1)
        page.goto(live_server.url + f"/sessions/{s1.pk}/")
        page.select_option("#id_instrument", "pcl-5@past-week")
        page.select_option("#id_who", f"member:{leo.pk}")
        page.click("form.choose button")
        page.wait_for_selector("form.entry")
        print("URL after htmx", page.url)
        page.fill("#id_item_4", "7")
        page.click("form.entry button[type=submit]")
        page.wait_for_load_state()
        page.screenshot(path="/tmp/scratch/session_error.png", full_page=True)
        page.goto(live_server.url + f"/cases/new/")
        page.click("form.stacked button[type=submit]")
        page.screenshot(path="/tmp/scratch/case_new_errors.png", full_page=True)
        b.close()
    print(errors)
