"""Login, logout, the base layout and the language switch."""

from __future__ import annotations

from django.test import Client

from tests.conftest import PASSWORD


def test_login_page_in_chinese(client):
    response = client.get("/accounts/login/")
    body = response.content.decode()
    assert response.status_code == 200 and "登录" in body and "用户名" in body and "密码" in body
    assert "tuopin 脱贫攻坚信息系统" in body


def test_login_and_layout(clerk_a):
    c = Client(enforce_csrf_checks=True)
    page = c.get("/accounts/login/?next=/households/").content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    bad = c.post("/accounts/login/", {"username": "clerk_a", "password": "wrong", "csrfmiddlewaretoken": token})
    assert "用户名或密码不正确" in bad.content.decode()
    response = c.post(
        "/accounts/login/",
        {"username": "clerk_a", "password": PASSWORD, "next": "/households/", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302 and response["Location"] == "/households/"
    body = c.get("/households/").content.decode()
    for text in ("clerk_a", "信息员", "大榆村", "户籍管理", "登记新户", "退出", "English"):
        assert text in body, text
    assert c.get("/").status_code == 302


def test_logout_is_post_only(client_for, clerk_a):
    c = client_for(clerk_a)
    assert c.get("/accounts/logout/").status_code == 405
    response = c.post("/accounts/logout/")
    assert response.status_code == 302
    assert c.get("/households/").status_code == 302  # logged out: back to login


def test_language_switch_to_english(client_for, actors):
    c = client_for(actors["leader"])
    response = c.post("/i18n/setlang/", {"language": "en", "next": "/households/"})
    assert response.status_code == 302
    body = c.get("/households/").content.decode()
    for text in ("Households", "Search", "Status", "Export Excel", "Log out", "Jurisdiction"):
        assert text in body, text
    assert "登记新户" not in body  # the leader does not edit: no link in either language
    c.post("/i18n/setlang/", {"language": "zh-hans", "next": "/households/"})
    assert "户籍管理" in c.get("/households/").content.decode()


def test_error_pages_do_not_echo(client_for, clerk_a):
    body = client_for(clerk_a).get("/households/999999/<script>alert(1)</script>").content.decode()
    assert "页面不存在" in body and "<script>alert" not in body and "999999" not in body
