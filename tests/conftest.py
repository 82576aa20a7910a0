"""Shared fixtures: the seed article's models and the other cases the reader must get right."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest

from tests._fixtures import make_fixtures

#: Set by CI: optional peers and tools must be present there, so a test that would
#: skip for want of one fails instead.
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


#: The Keras backend this run uses (KERAS_BACKEND, TensorFlow unless it says otherwise).
BACKEND = os.environ["KERAS_BACKEND"]

#: Optional peers that belong to one Keras backend. CI runs the suite once per backend,
#: each in its own environment (`.ci/run`), and installs such a peer only in its
#: backend's: under CI a missing one fails only there and skips (saying so) elsewhere.
BACKEND_PEERS = {
    "tensorflow": "tensorflow",
    "tf_keras": "tensorflow",
    "jax": "jax",
    "torch": "torch",
}

#: The command that installs each optional peer a test imports (said when it skips).
INSTALL = {
    "tensorflow": "pip install tensorflow-cpu",
    "torch": "pip install torch",
    "jax": "pip install jax",
    "tf_keras": "pip install --no-deps tf-keras",
    # keras-hub's own requirements pull tensorflow-text, and with it the whole
    # `tensorflow` wheel: install it without, and its light requirements by hand.
    "keras_hub": (
        "pip install --no-deps keras-hub && pip install absl-py regex rich "
        "kagglehub tokenizers sentencepiece"
    ),
    "playwright": "pip install -e '.[test]'",
    "jupyterlab": "pip install -e '.[test]'",
    "notebook": "pip install -e '.[test]'",
    "ipycytoscape": "pip install -e '.[test]'",
    "jsonschema": "pip install -e '.[test]'",
}


def optional_import(name: str, install: str | None = None):
    """Import ``name``, or skip the test (fail under CI) when it is not installed.

    A peer of another Keras backend (:data:`BACKEND_PEERS`) skips under CI too: CI
    installs it only in that backend's environment.

    The skip (or failure) message says the command that installs it: ``install``,
    else :data:`INSTALL`'s entry for the top-level package, else ``pip install``.
    """
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError as exc:
        top = name.split(".")[0]
        command = install or INSTALL.get(top, f"pip install {top}")
        message = f"{name} is not installed ({exc}); install it with: {command}"
        owner = BACKEND_PEERS.get(top, BACKEND)
        if owner != BACKEND:
            message += (
                f" (CI has it only in the KERAS_BACKEND={owner} environment;"
                f" this run is on {BACKEND})"
            )
        elif IN_CI:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def keras():
    import keras

    return keras


@pytest.fixture(scope="session")
def seed_sequential(keras):
    """The seed article's Sequential, batch dimension put into input_shape."""
    return keras.Sequential(
        [
            keras.layers.Dense(32, activation="relu", input_shape=(None, 128)),
            keras.layers.Dense(2, activation="softmax"),
        ],
        name="seed_sequential",
    )


#: The seed article's two-input, two-output model in Keras 3 form, as source: the
#: fixture runs it, browser tests put it in a notebook cell, and the renderer's
#: fixtures are made from it (labextension/scripts/make_fixtures.py, one copy).
SEED_FUNCTIONAL_SOURCE = make_fixtures().SEED_SOURCE


@pytest.fixture(scope="session")
def seed_functional(keras):
    """The seed article's two-input, two-output model (SEED_FUNCTIONAL_SOURCE)."""
    ns = {"keras": keras, "layers": keras.layers}
    exec(SEED_FUNCTIONAL_SOURCE, ns)
    return ns["model"]


@pytest.fixture(scope="session")
def siamese(keras):
    """One Dense encoder shared by two inputs."""
    layers = keras.layers
    left = keras.Input((8,), name="left")
    right = keras.Input((8,), name="right")
    encoder = layers.Dense(4, name="encoder")
    merged = layers.Subtract(name="diff")([encoder(left), encoder(right)])
    out = layers.Dense(1, name="score")(merged)
    return keras.Model([left, right], out, name="siamese")


@pytest.fixture(scope="session")
def nested(keras):
    """outer Functional -> `mid` Functional -> `deep` Sequential, plus a `tail` Sequential
    (the renderer's `nested` fixture is made from the same builder)."""
    return make_fixtures().nested()


@pytest.fixture(scope="session")
def nasnet_large(keras):
    """keras.applications.NASNetLarge(weights=None): the biggest application (1,041
    layers), built once per session (some 10 s)."""
    return keras.applications.NASNetLarge(weights=None)


@pytest.fixture(scope="session")
def resnet50(keras):
    """keras.applications.ResNet50(weights=None) (177 layers), built once per session."""
    return keras.applications.ResNet50(weights=None)


def application(keras, name: str):
    """``keras.applications.<name>(weights=None)``; skipped where Keras itself will
    not build it (NASNetMobile on the torch backend raises "not available with the
    torch backend")."""
    try:
        return getattr(keras.applications, name)(weights=None)
    except ValueError as e:
        if "not available with the" in str(e) and "backend" in str(e):
            pytest.skip(f"Keras does not build {name} on this backend: {e}")
        raise
