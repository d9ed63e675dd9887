"""The examples in docstrings are true (healthchecks hc/lib style: small helpers show how they're used)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "portal.i18n",
    "portal.logsafe",
    "portal.adapters.sms",
    "portal.domain.twofa",
    "portal.domain.security",
    "portal.domain.notifications",
    "portal.domain.accounts",
    "portal.domain.ratelimit",
    "portal.domain.phases",
    "portal.api.headers",
    "portal.config",
    "portal.db.engine",
    "portal.domain.access",
    "portal.domain.dossiers",
    "portal.api.files",
    "portal.adapters.filecheck",
    "portal.domain.deliveries",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, monkeypatch):
    monkeypatch.setenv("X_DEMO", "")  # portal.config's example sets it; monkeypatch removes it afterwards
    module = importlib.import_module(name)
    result = doctest.testmod(module, verbose=False, report=True)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0


def test_cookie_value_example_is_checked():
    from portal.domain import security as auth

    tests = doctest.DocTestFinder().find(auth.cookie_value, "cookie_value", globs={"cookie_value": auth.cookie_value})
    assert sum(len(t.examples) for t in tests) >= 1
    assert auth.cookie_value("a=1; portal_session=xyz", "portal_session") == "xyz"
    assert auth.cookie_value(None, "portal_session") is None
    assert auth.cookie_value("a=1", "portal_session") is None
    assert auth.cookie_value('bad"cookie=\\', "portal_session") is None
