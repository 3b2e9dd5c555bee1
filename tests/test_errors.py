"""One hierarchy: every exception and warning class that the packages define derives
from RelunetError or RelunetWarning, is exported by its package, and is listed in
docs/errors.md."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import warnings
from pathlib import Path

import pytest

import hardness
import recover
import relunet
import verify
from recover import RelunetError, RelunetWarning

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = [recover, verify, hardness, relunet]
#: Standalone stdlib-only script with its own exit-code exceptions (see docs/errors.md).
STANDALONE = {"verify.relu_audit"}
#: Modules that need an optional dependency that may be missing.
OPTIONAL = {"recover.interop_torch", "recover.estimator", "recover.interop_sklearn"}


def _defined_classes():
    """(package, class) for every public exception/warning class defined in a module."""
    out = []
    for package in PACKAGES:
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if info.name in STANDALONE:
                continue
            try:
                module = importlib.import_module(info.name)
            except ImportError:
                if info.name in OPTIONAL:
                    continue
                raise
            out += [(package, cls) for name, cls in vars(module).items()
                    if inspect.isclass(cls) and issubclass(cls, BaseException)
                    and cls.__module__ == info.name and not name.startswith("_")]
    return out


CLASSES = _defined_classes()


def test_the_walk_finds_the_classes():
    names = {cls.__name__ for _, cls in CLASSES}
    assert {"RelunetError", "InvalidInputError", "RecoveryFailed", "RelunetWarning",
            "ActivationWarning", "FitCertificateRejected", "UsageError"} <= names


@pytest.mark.parametrize("package, cls", CLASSES, ids=lambda x: getattr(x, "__name__", ""))
def test_every_error_and_warning_is_in_the_hierarchy_and_exported(package, cls):
    assert issubclass(cls, (RelunetError, RelunetWarning))
    assert cls.__name__ in package.__all__
    assert getattr(package, cls.__name__) is cls


@pytest.mark.parametrize("package, cls", CLASSES, ids=lambda x: getattr(x, "__name__", ""))
def test_every_error_and_warning_is_documented(package, cls):
    assert f"{cls.__name__} " in (ROOT / "docs" / "errors.md").read_text()


def test_warnings_are_user_warnings_and_bad_input_is_a_value_error():
    assert issubclass(RelunetWarning, UserWarning)
    assert issubclass(recover.ActivationWarning, RelunetWarning)
    assert issubclass(recover.InvalidInputError, ValueError)
    assert issubclass(relunet.UsageError, recover.InvalidInputError)


def test_old_certificate_error_name_is_a_deprecated_alias():
    with pytest.warns(DeprecationWarning, match="FitCertificateRejected"):
        alias = hardness.CertificateError
    assert alias is hardness.FitCertificateRejected
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AttributeError):
            hardness.NoSuchName  # noqa: B018
