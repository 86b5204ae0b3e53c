"""Both catalogs are complete, and pages come out in the chosen language."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from tests.conftest import signed_in

ROOT = Path(__file__).resolve().parent.parent


def _i18n_script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_string_in_code_and_templates_is_translated_in_both_catalogs():
    gaps = _i18n_script().missing()
    assert gaps == {"en": [], "zh_CN": []}


def test_home_page_in_chinese_after_switching_language(client):
    signed_in(client, "am1")
    response = client.get("/lang/zh_CN?next=/", follow_redirects=True)
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in response.text
    assert "客户经理" in response.text  # the role label, from data
    assert "退出登录" in response.text  # "Sign out", from the catalog


def test_accept_language_picks_chinese_for_a_new_visitor(client):
    response = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert '<html lang="zh-CN">' in response.text
    assert "登录" in response.text


def test_api_errors_follow_the_language_too(client):
    response = client.get("/api/v1/me", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 401
    assert response.json()["detail"] == "需要有效的访问令牌（Bearer）。"
