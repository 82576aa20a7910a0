"""A test that needs a missing optional peer says how to install it (README promise)."""

from __future__ import annotations

import pytest

from tests import conftest


def test_skip_names_the_install_command(monkeypatch):
    monkeypatch.setattr(conftest, "IN_CI", False)
    with pytest.raises(pytest.skip.Exception) as info:
        conftest.optional_import("kerasviz_missing_peer.sub")
    assert "install it with: pip install kerasviz_missing_peer" in str(info.value)
    with pytest.raises(pytest.skip.Exception, match="pip install --no-deps tf-keras"):
        conftest.optional_import(
            "kerasviz_missing_peer", install=conftest.INSTALL["tf_keras"]
        )


def test_in_ci_a_missing_peer_fails(monkeypatch):
    monkeypatch.setattr(conftest, "IN_CI", True)
    with pytest.raises(pytest.fail.Exception, match="install it with: pip install"):
        conftest.optional_import("kerasviz_missing_peer")


def test_every_peer_the_tests_import_has_a_command():
    import pathlib
    import re

    used = set()
    for path in pathlib.Path(__file__).parent.rglob("*.py"):
        if path.name == pathlib.Path(__file__).name:
            continue
        used |= set(re.findall(r'optional_import\(\s*"([\w.]+)"', path.read_text()))
    used |= {"jupyterlab", "notebook"}  # imported by name in the browser fixtures
    assert used, "no optional_import calls found"
    assert {u.split(".")[0] for u in used} <= set(conftest.INSTALL)
