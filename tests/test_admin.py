"""Console access: login, session cookie, CSRF, the limit on wrong tokens, Bearer tokens for scripts.

The shared limit itself (every authenticated route, several apps on one storage) is in
tests/test_auth_limits.py.
"""

from __future__ import annotations

import re

import pytest

from bot.storage.auth_limits import LIMIT

TOKEN = "admin-test-token"
SAMPLE_ARGS = {"event_id": 1, "number": "DK-10001", "filename": "console.css"}


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page carries no CSRF token"
    return match.group(1)


def login(client, token: str = TOKEN, **kwargs):
    page = client.get("/console/login")
    return client.post(
        "/console/login", data={"token": token, "csrf_token": csrf_from(page.get_data(as_text=True))}, **kwargs
    )


def console_csrf(client) -> str:
    return csrf_from(client.get("/console").get_data(as_text=True))


def guarded_routes(app):
    """Every (method, url) of the console blueprint except the login form and static files."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin.") or rule.endpoint in ("admin.login", "admin.static"):
            continue
        url = rule.build({name: SAMPLE_ARGS[name] for name in rule.arguments}, append_unknown=False)[1]
        routes += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return routes


def test_the_console_has_pages_and_api_routes_to_guard(app):
    urls = {url for _, url in guarded_routes(app)}
    assert {"/console", "/console/logout", "/admin/api/simulate", "/admin/api/status"} <= urls
    assert len(urls) >= 14


def test_every_page_and_api_is_refused_without_login(app, client):
    for method, url in guarded_routes(app):
        response = client.open(url, method=method, json={} if method == "POST" else None)
        if url.startswith("/admin/api/"):
            assert response.status_code == 401, (method, url)
            assert response.get_json() == {"error": "login required"}
        else:
            assert response.status_code == 302, (method, url)
            assert response.headers["Location"].startswith("/console/login"), (method, url)


def test_a_wrong_bearer_token_is_refused_even_with_a_session(client):
    login(client)
    assert client.get("/admin/api/status").status_code == 200
    response = client.get("/admin/api/status", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


def test_a_bearer_token_opens_the_api_without_csrf(client):
    headers = {"Authorization": f"Bearer {TOKEN}"}
    assert client.get("/admin/api/status", headers=headers).status_code == 200
    response = client.post(
        "/admin/api/simulate", json={"platform": "messenger", "customer_id": "u1", "text": "hi"}, headers=headers
    )
    assert response.status_code == 200


def test_login_sets_a_strict_httponly_session_cookie_and_opens_the_console(client):
    response = login(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/console"
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("dukkan_console="))
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    page = client.get("/console")
    assert page.status_code == 200
    assert 'id="chat"' in page.get_data(as_text=True)
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


def test_the_login_page_follows_only_console_paths(client):
    assert login(client, query_string={"next": "/console?x=1"}).headers["Location"] == "/console?x=1"
    client.post("/console/logout", data={"csrf_token": console_csrf(client)})
    for target in ("https://evil.example/", "//evil.example/console", "/\\evil.example"):
        assert login(client, query_string={"next": target}).headers["Location"] == "/console"


def test_a_wrong_token_is_refused(client):
    response = login(client, token="wrong")
    assert response.status_code == 401
    assert "not right" in response.get_data(as_text=True)
    assert client.get("/admin/api/status").status_code == 401


def test_login_without_the_forms_csrf_token_is_refused(client):
    response = client.post("/console/login", data={"token": TOKEN})
    assert response.status_code == 403
    assert client.get("/admin/api/status").status_code == 401


def test_api_posts_need_the_csrf_header_with_a_session(client, services):
    login(client)
    body = {"platform": "messenger", "customer_id": "u1", "text": "hi"}
    assert client.post("/admin/api/simulate", json=body).status_code == 403
    assert client.post("/admin/api/simulate", json=body, headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert services.inbox.counts()["pending"] == 0
    response = client.post("/admin/api/simulate", json=body, headers={"X-CSRF-Token": console_csrf(client)})
    assert response.status_code == 200
    assert services.inbox.counts()["pending"] == 1


def test_logout_needs_csrf_and_ends_the_session(client):
    login(client)
    assert client.post("/console/logout").status_code == 403
    assert client.get("/admin/api/status").status_code == 200
    response = client.post("/console/logout", data={"csrf_token": console_csrf(client)})
    assert response.status_code == 302
    assert client.get("/admin/api/status").status_code == 401


def test_a_session_from_an_app_with_another_admin_token_is_not_accepted(app, client, settings):
    from bot import create_app

    login(client)
    cookie = client.get_cookie("dukkan_console")
    overrides = {name: getattr(settings, name) for name in settings.__dataclass_fields__} | {"admin_token": "rotated"}
    other = create_app(overrides, start_workers=False)
    other_client = other.test_client()
    other_client.set_cookie("dukkan_console", cookie.value)
    assert other_client.get("/admin/api/status").status_code == 401


def test_wrong_logins_are_limited_per_client_address_but_the_right_token_still_works(client):
    for _ in range(LIMIT):
        assert login(client, token="guess").status_code == 401
    blocked = login(client, token="guess")
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert "Too many attempts" in blocked.get_data(as_text=True)
    assert client.get("/admin/api/status").status_code == 401
    other_address = login(client, token="guess", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other_address.status_code == 401
    assert login(client, token=TOKEN).status_code == 302
    assert client.get("/admin/api/status").status_code == 200


@pytest.mark.parametrize("path", ["/console/static/console.js", "/console/static/console.css",
                                  "/console/static/console_insights.js", "/console/static/console_insights.css"])
def test_static_files_are_served_by_the_app(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert len(response.data) > 1000


@pytest.mark.parametrize("path", ["/console/static/console.js", "/console/static/console_insights.js"])
def test_the_console_script_never_assigns_html(client, path):
    script = client.get(path).get_data(as_text=True)
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script


def test_behind_a_proxy_the_login_limit_counts_each_client(settings):
    from bot import create_app

    overrides = {name: getattr(settings, name) for name in settings.__dataclass_fields__} | {"proxy_hops": 1}
    client = create_app(overrides, start_workers=False).test_client()
    first = {"HTTP_X_FORWARDED_FOR": "198.51.100.7", "REMOTE_ADDR": "10.0.0.1"}
    second = {"HTTP_X_FORWARDED_FOR": "203.0.113.9", "REMOTE_ADDR": "10.0.0.1"}
    for _ in range(LIMIT):
        assert login(client, token="guess", environ_base=first).status_code == 401
    assert login(client, token="guess", environ_base=first).status_code == 429
    assert login(client, token="guess", environ_base=second).status_code == 401
    assert login(client, token=TOKEN, environ_base=first).status_code == 302


def test_the_console_has_a_tab_for_every_channel(client):
    login(client)
    html = client.get("/console").get_data(as_text=True)
    tabs = re.findall(r'class="platform-tab" data-platform="(\w+)" data-look="(\w+)"', html)
    assert tabs == [("messenger", "messenger"), ("whatsapp", "whatsapp"), ("instagram", "instagram")]
    assert 'data-subtitle="Instagram · Direct"' in html and 'data-prefix="console-ig-"' in html


def test_the_console_simulates_an_instagram_customer(client):
    headers = {"Authorization": f"Bearer {TOKEN}"}
    sent = client.post("/admin/api/simulate", headers=headers,
                       json={"platform": "instagram", "customer_id": "console-ig-123456", "text": "عايز تيشيرت اسود"})
    result = sent.get_json()
    assert (sent.status_code, result["status"], result["delivery"]["object"]) == (200, 200, "instagram")
    assert [(event["platform"], event["kind"]) for event in result["events"]] == [("instagram", "text")]
    press = {"platform": "instagram", "customer_id": "console-ig-123456", "payload": "MENU"}
    pressed = client.post("/admin/api/simulate", headers=headers, json=press).get_json()
    assert "postback" in pressed["delivery"]["entry"][0]["messaging"][0]
    wrong = client.post("/admin/api/simulate", headers=headers,
                        json={"platform": "instagram", "customer_id": "c", "payload": "P", "kind": "list_reply"})
    assert wrong.status_code == 400 and "quick_reply" in wrong.get_json()["error"]
    unknown = client.post("/admin/api/simulate", headers=headers,
                          json={"platform": "telegram", "customer_id": "c", "text": "x"})
    assert unknown.status_code == 400 and "instagram" in unknown.get_json()["error"]
