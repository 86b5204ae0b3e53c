"""One English label with two meanings gets a context; a label shared across modules is reviewed once."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from babel.messages.catalog import Catalog

from bankcrm.kit.i18n import translations

ROOT = Path(__file__).resolve().parent.parent


def _i18n_script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("i18n_script_contexts", ROOT / "scripts" / "i18n.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_label_shared_by_two_modules_is_reviewed_and_translated_as_reviewed() -> None:
    # given the code, the templates and locale/shared_labels.csv
    # when the shared labels are read with their locations
    problems = _i18n_script().unreviewed_shared_labels()
    # then none is unreviewed, stale or translated otherwise
    assert problems == {"unreviewed": [], "no longer shared": [], "translated otherwise in the catalog": []}


def test_a_label_used_in_two_modules_without_a_context_is_found() -> None:
    # given "Home" as the home page's title and as a customer's housing, both without a context
    catalog = Catalog()
    catalog.add("Home", locations=[("src/bankcrm/web/templates/home/index.html", 2)])
    catalog.add("Home", locations=[("src/bankcrm/web/templates/customers/form.html", 52)])
    catalog.add("Home", context="home ownership", locations=[("src/bankcrm/web/templates/customers/edit.html", 36)])
    catalog.add("No customer has this CIF number.", locations=[("a/customers/x.py", 1), ("a/relationships/y.py", 1)])
    # when shared labels are looked for
    shared = _i18n_script().shared_labels(catalog)
    # then only the label without a context is reported, with its modules (sentences are specific enough)
    assert shared == {"Home": ["customers", "home"]}


def test_the_same_english_word_reads_two_ways_in_chinese() -> None:
    # given the Chinese catalog
    zh = translations("zh_CN")
    # then the home page and a customer's housing are told apart, and so are two kinds of share
    assert zh.gettext("Home") == "首页"
    assert zh.pgettext("home ownership", "Home") == "住房"
    assert zh.pgettext("account manager share", "Share") == "业绩分成"
    assert zh.gettext("Share") == "持股比例"
