"""to_code and check_equivalent on what is not Keras's own: KerasHub models, custom
layers as keras.io writes them, callables, Lambdas, constants, dict and string
inputs, subclassed models; compare() on code that cannot run."""

from __future__ import annotations

import re
import warnings

import keras
import numpy as np
import pytest
from keras import layers, ops

import kerasviz
from kerasviz.codegen import CodegenWarning, check_equivalent, to_code
from kerasviz.codegen.equivalence import _input_hints, _random_input
from kerasviz.contract import validate as validate_payload

from . import zoo

BACKEND = keras.backend.backend()


def generated(model, api="functional"):
    """to_code's code, the model it builds, and the CodegenWarnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code = to_code(model, api)
    compiled = compile(code, f"<to_code {model.name}>", "exec")
    ns: dict = {}
    exec(compiled, ns)
    said = [str(w.message) for w in caught if issubclass(w.category, CodegenWarning)]
    return code, ns["model"], said


def assert_round_trip(model, api="functional"):
    code, rebuilt, said = generated(model, api)
    report = check_equivalent(model, rebuilt)
    assert report.equivalent, f"{report.summary}\n{code}"
    return code, rebuilt, said


def comments_are_one_line(code):
    """Every '# kerasviz:' note sits on a line that is also valid code."""
    for line in code.splitlines():
        if "# kerasviz:" in line:
            compile(line.split("  # kerasviz:")[0].strip() or "pass", "<line>", "exec")


def hub(name):
    pytest.importorskip("keras_hub")
    return zoo.KERAS_HUB[name]()


# ---- KerasHub ------------------------------------------------------------------------------
@pytest.mark.slow
def test_bert_backbone_round_trips_with_public_imports_and_dict_io():
    model = hub("bert_backbone")
    code, rebuilt, said = assert_round_trip(model)
    assert not said
    assert (
        "from keras_hub.layers import TransformerEncoder  # custom layer class" in code
    )
    assert (
        "from keras_hub.layers import PositionEmbedding  # custom layer class" in code
    )
    # keras_hub.src only where the package exports nothing (its gelu helper)
    srcs = re.findall(r"^from (keras_hub\.src\S*) import (\w+)", code, re.M)
    assert srcs == [("keras_hub.src.utils.keras_utils", "gelu_approximate")]
    assert "activation=gelu_approximate" in code
    assert (
        "inputs={'token_ids': token_ids, 'segment_ids': segment_ids, "
        "'padding_mask': padding_mask}" in code
    )
    assert "outputs={'sequence_output': " in code
    assert isinstance(rebuilt.input, dict)
    assert (
        "is a keras_hub.models.BertBackbone; this is a plain keras.Model of the "
        "same layers." in code
    )
    assert list(rebuilt.input) == list(model.input)
    assert list(rebuilt.output) == list(model.output)
    # a TransformerEncoder takes no `trainable` through a signature it lacks: fine,
    # it has **kwargs; but nothing the layer computes itself is passed back in
    assert "padding_mask=padding_mask" in code


@pytest.mark.slow
def test_gemma_constant_is_a_literal_not_a_tensor_repr():
    model = hub("gemma_backbone")
    code, _, said = assert_round_trip(model)
    assert not said
    assert "<tf.Tensor" not in code
    assert "Array(" not in code
    assert "keras.ops.multiply(token_embedding, 4.0)" in code
    assert "from keras_hub.layers import RMSNormalization" not in code or (
        "RMSNormalization(" in code
    )
    assert "from keras_hub.src.models.gemma.gemma_decoder_block import " in code


@pytest.mark.slow
def test_gpt2_and_vit_round_trip():
    for name in ("gpt2_backbone", "vit_backbone"):
        code, _, said = assert_round_trip(hub(name))
        assert not said, said
        assert "keras_hub.src.layers" not in code
        assert "num_patches=" not in code  # derived: ViT's __init__ does not take it


@pytest.mark.slow
def test_llama_broken_get_config_is_said_and_the_rest_runs():
    model = hub("llama_backbone")
    with pytest.warns(CodegenWarning) as record:
        code = to_code(model)
    messages = [str(w.message) for w in record if w.category is CodegenWarning]
    assert any(
        "'transformer_layer_0' (LlamaTransformerDecoder)" in m
        and "get_config() raised AttributeError" in m
        and "rope_scaling_factor" in m
        for m in messages
    ), messages
    noted = [line for line in code.splitlines() if "# kerasviz:" in line]
    assert len(noted) == 2
    assert all("LlamaTransformerDecoder(" in line for line in noted)
    comments_are_one_line(code)
    before = [np.array(ops.convert_to_numpy(w)) for w in model.weights]
    ns: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(code, "<llama>", "exec"), ns)
    report = check_equivalent(model, ns["model"])
    assert report.equivalent, report.summary
    # the clone cannot be made (get_config raises): b was used in place, then put back
    rebuilt = ns["model"]
    assert check_equivalent(rebuilt, model).equivalent
    after = [np.array(ops.convert_to_numpy(w)) for w in model.weights]
    assert all(np.array_equal(x, y) for x, y in zip(before, after, strict=True))


@pytest.mark.slow
def test_bert_text_classifier_nests_the_backbone_by_its_class():
    model = hub("bert_text_classifier")
    code, rebuilt, said = assert_round_trip(model)
    assert not said
    assert "from keras_hub.models import BertBackbone  # custom model class" in code
    assert re.search(
        r"^pooled_output = bert_backbone\w*_outputs\['pooled_output'\]$", code, re.M
    )
    assert "mask=" not in code  # Keras's empty masks are not written
    nested = [op for op in rebuilt.layers if isinstance(op, keras.Model)]
    assert [type(op).__name__ for op in nested] == ["BertBackbone"]


# ---- custom layers as keras.io writes them --------------------------------------------------
def test_no_kwargs_no_get_config_writes_only_what_init_takes():
    code, _, said = assert_round_trip(zoo.no_config_layer())
    assert not said
    assert "from tests.zoo import Scale  # custom layer class" in code
    line = next(x for x in code.splitlines() if "Scale(" in x)
    assert "Scale(2.0)(" in line
    assert "trainable=" not in line
    assert "dtype=" not in line
    assert "name=" not in line  # Scale.__init__ takes no name


@pytest.mark.slow  # a few seconds under JAX
def test_incomplete_get_config_reads_the_rest_from_init():
    # PatchEncoder's get_config() lacks projection_dim; its __init__ hands it to a
    # Dense as `units`, which is where to_code finds it.
    code, _, said = assert_round_trip(zoo.vit())
    assert not said
    assert re.search(r"= PatchEncoder\(16, 8\)\(", code), code


@pytest.mark.slow  # a few seconds under JAX
def test_text_transformer_blocks_without_get_config():
    code, _, said = assert_round_trip(zoo.text_transformer())
    assert not said
    assert "TransformerBlock(" in code


class Dropped(layers.Layer):
    """`self.dropout` is the Dropout layer made of the `dropout` argument, and
    get_config() keeps neither argument."""

    def __init__(self, units, dropout=0.1):
        super().__init__()
        self.dense = layers.Dense(units)
        self.dropout = layers.Dropout(dropout)

    def call(self, x):
        return self.dropout(self.dense(x))

    def get_config(self):
        return {"name": self.name}


def test_arguments_found_in_the_sublayers_init_made():
    inputs = keras.Input((3,), name="x")
    model = keras.Model(inputs, Dropped(4, dropout=0.3)(inputs), name="dropped")
    code, _, said = assert_round_trip(model)
    assert not said
    # not `dropout=layers.Dropout(...)`: the attribute is what __init__ made of it
    assert "= Dropped(4, dropout=0.3)(x)" in code


class Opaque(layers.Layer):
    """Keeps its argument only in a form to_code cannot read back, and a
    get_config() that forgets it."""

    def __init__(self, size):
        super().__init__()
        self.doubled = size * 2

    def call(self, x):
        return x * float(self.doubled)

    def get_config(self):
        return super().get_config()


def test_unreadable_required_argument_is_said_and_the_file_compiles():
    inputs = keras.Input((4,), name="x")
    model = keras.Model(inputs, Opaque(3)(layers.Dense(4, name="d")(inputs)))
    with pytest.warns(
        CodegenWarning, match=r"required argument 'size' of 'opaque"
    ) as rec:
        code = to_code(model)
    message = str(rec[0].message)
    assert "Replace None with its value" in message
    compile(code, "<opaque>", "exec")
    comments_are_one_line(code)
    line = next(x for x in code.splitlines() if "Opaque(" in x)
    assert "Opaque(None)" in line
    assert "# kerasviz: cannot read the required argument 'size'" in line


class Activated(layers.Layer):
    """keras.io style: no **kwargs, no get_config, a callable argument (Keras's
    automatic config refuses it with a many-line error)."""

    def __init__(self, units, activation=ops.relu):
        super().__init__()
        self.units = units
        self.activation = activation
        self.dense = layers.Dense(units)

    def call(self, x):
        return self.activation(self.dense(x))


def test_multi_line_get_config_error_and_callable_argument():
    layer = Activated(4, activation=ops.gelu)
    with pytest.raises(NotImplementedError, match="\n"):
        layer.get_config()  # the many-line error to_code must keep out of the code
    inputs = keras.Input((3,), name="x")
    model = keras.Model(inputs, layer(inputs), name="activated")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code = to_code(model)
    said = [str(w.message) for w in caught if issubclass(w.category, CodegenWarning)]
    assert len(said) == 1
    assert "get_config() raised NotImplementedError" in said[0]
    assert "\n" not in said[0]
    line = next(x for x in code.splitlines() if "Activated(" in x)
    assert "Activated(4, activation=keras.ops.gelu)(x)" in line
    assert line.count("# kerasviz:") == 1
    comments_are_one_line(code)
    ns: dict = {}
    exec(compile(code, "<activated>", "exec"), ns)
    assert check_equivalent(model, ns["model"]).equivalent


def hard_sigmoid(x):
    """Not Keras's hard_sigmoid: a user's function that happens to share its name."""
    return x * 0.5


class Wrap(layers.Layer):
    """Takes a layer as an argument (and, without get_config, Keras cannot
    serialize it)."""

    def __init__(self, layer, scale=1.0, **kwargs):
        super().__init__(**kwargs)
        self.layer = layer
        self.scale = scale

    def call(self, x):
        return self.layer(x) * self.scale


def test_user_function_and_layer_argument():
    inputs = keras.Input((4,), name="x")
    h = layers.Dense(5, activation=hard_sigmoid, name="d1")(inputs)
    out = Wrap(layers.Dense(3, name="inner"), scale=2.0, name="wrap")(h)
    model = keras.Model(inputs, out, name="wrapped")
    with pytest.warns(CodegenWarning, match=r"'wrap' \(Wrap\).*NotImplementedError"):
        code = to_code(model)
    assert f"from {__name__} import hard_sigmoid" in code
    assert "layers.Dense(5, activation=hard_sigmoid, name='d1')(x)" in code
    assert "Wrap(layers.Dense(3, name='inner'), scale=2.0, name='wrap')(d1)" in code
    comments_are_one_line(code)
    ns: dict = {}
    exec(compile(code, "<wrapped>", "exec"), ns)
    # Keras's own clone would read "hard_sigmoid" as keras.activations.hard_sigmoid:
    # check_equivalent sees that and copies the weights into the model itself
    report = check_equivalent(model, ns["model"])
    assert report.equivalent, report.summary


def test_callable_activation_is_the_function_not_a_string():
    code, _, said = assert_round_trip(zoo.callable_activation())
    assert not said
    assert "activation=keras.ops.gelu" in code
    assert "activation='gelu'" not in code


def test_lambda_of_a_named_function_is_imported_by_path():
    code, _, said = assert_round_trip(zoo.lambda_function())
    assert not said
    assert "from tests.zoo import l2_normalize" in code
    assert "layers.Lambda(l2_normalize, name='l2_normalize')" in code


def test_lambda_of_a_notebook_function_says_where_to_run():
    def double(x):
        return x * 2.0

    double.__module__ = "__main__"
    double.__qualname__ = "double"
    inputs = keras.Input((3,), name="x")
    model = keras.Model(inputs, layers.Lambda(double, name="twice")(inputs))
    code = to_code(model)
    assert (
        "# double: a function defined in your notebook or script (__main__); run "
        "this code where it is defined." in code
    )
    assert "layers.Lambda(double, name='twice')(x)" in code
    ns: dict = {"double": double}
    exec(compile(code, "<main>", "exec"), ns)
    assert check_equivalent(model, ns["model"]).equivalent


def test_lambda_expression_is_written_as_source():
    inputs = keras.Input((3,), name="x")
    model = keras.Model(inputs, layers.Lambda(lambda t: t * 3.0 + 1.0)(inputs))
    code, _, said = assert_round_trip(model)
    assert not said
    assert "layers.Lambda(lambda t: t * 3.0 + 1.0, " in code


def test_lambda_reading_ops_and_a_module_imports_them():
    # keras.io writes `layers.Lambda(lambda x: ops.mean(x, axis=1))`: `ops` is a
    # global of the file the lambda was written in, so the code must import it
    inputs = keras.Input((4, 3), name="x")
    lam = layers.Lambda(lambda t: ops.mean(t, axis=1) * 2.0 + np.float32(1.0))
    model = keras.Model(inputs, lam(inputs), name="pooled")
    code, _, said = assert_round_trip(model)
    assert not said
    assert "from keras import ops" in code.splitlines()
    assert "import numpy as np" in code.splitlines()
    assert (
        "layers.Lambda(lambda t: ops.mean(t, axis=1) * 2.0 + np.float32(1.0), " in code
    )


def test_layer_that_hands_its_name_to_an_inner_layer():
    code, _, said = assert_round_trip(zoo.name_to_inner())
    assert not said
    assert (
        "NamedProjection(6, trainable=True, dtype='float32', name='projection')" in code
    )


def test_residual_block_with_get_config():
    code, _, _ = assert_round_trip(zoo.residual_blocks())
    assert "from tests.zoo import ResidualBlock  # custom layer class" in code


class Scaled(keras.Operation):
    """A third-party op (not a layer) whose config holds a derived entry."""

    def __init__(self, factor, name=None):
        super().__init__(name=name)
        self.factor = factor

    def call(self, x):
        return x * self.factor

    def compute_output_spec(self, x):
        return keras.KerasTensor(x.shape, x.dtype)

    def get_config(self):
        return {"name": self.name, "factor": self.factor, "twice": 2 * self.factor}


def test_third_party_operation():
    inputs = keras.Input((3,), name="x")
    out = layers.Dense(2, name="d")(Scaled(2.0, name="scaled")(inputs))
    model = keras.Model(inputs, out, name="scaled_op")
    code, _, said = assert_round_trip(model)
    assert not said
    assert f"from {__name__} import Scaled  # custom op class" in code
    assert "scaled = Scaled(2.0, name='scaled')(x)" in code  # no `twice=`


# ---- constants, dict and string inputs ------------------------------------------------------
def test_small_constant_array_is_np_array():
    inputs = keras.Input((4,), name="x")
    model = keras.Model(inputs, inputs + np.arange(4, dtype="float32"), name="shift")
    code, _, said = assert_round_trip(model)
    assert not said
    assert "import numpy as np" in code.splitlines()[:4]
    assert "keras.ops.add(x, np.array([0.0, 1.0, 2.0, 3.0], dtype='float32'))" in code


def test_large_constant_is_a_named_placeholder_and_said():
    inputs = keras.Input((100,), name="x")
    model = keras.Model(inputs, inputs * np.ones(100, dtype="float32"), name="big")
    with pytest.warns(CodegenWarning, match=r"constant array of shape \(100,\)"):
        code = to_code(model)
    assert re.search(
        r"^constant_placeholder = np\.zeros\(\(100,\), dtype='float32'\)  # kerasviz: ",
        code,
        re.M,
    )
    assert "keras.ops.multiply(x, constant_placeholder)" in code
    ns: dict = {}
    exec(compile(code, "<big>", "exec"), ns)  # runs, with zeros in place of the values
    assert ns["model"].output.shape == (None, 100)


class Shift(layers.Layer):
    """A get_config() holding an array and an object that is no data at all."""

    def __init__(self, offsets, table=None, **kwargs):
        super().__init__(**kwargs)
        self.offsets = np.asarray(offsets, dtype="float32")
        self.table = table

    def call(self, x):
        return x + self.offsets

    def get_config(self):
        return {**super().get_config(), "offsets": self.offsets, "table": self.table}


def test_config_values_that_are_not_data():
    inputs = keras.Input((3,), name="x")
    layer = Shift([1, 2, 3], table=object(), name="shift")
    model = keras.Model(inputs, layer(inputs), name="shifted")
    with pytest.warns(
        CodegenWarning, match=r"'shift' \(Shift\) argument table takes object"
    ):
        code = to_code(model)
    assert "object at 0x" not in code.split("#")[0]
    line = next(x for x in code.splitlines() if "Shift(" in x)
    assert line.startswith(
        "shift = Shift(np.array([1.0, 2.0, 3.0], dtype='float32'), "
    ), line
    assert ", table=None, " in line
    assert line.count("kerasviz:") == 1
    assert "may not be rebuilt" not in line  # said once, not twice
    comments_are_one_line(code)
    ns: dict = {}
    exec(compile(code, "<shift>", "exec"), ns)  # runs, with None for the object
    report = check_equivalent(model, ns["model"])
    assert not report.equivalent  # and the check says what the placeholder changed
    assert "table differs" in report.differences[0]


def test_dict_inputs_keep_their_keys_and_order():
    a = keras.Input((3,), name="a")
    b = keras.Input((2,), name="b")
    out = layers.Dense(1, name="out")(layers.Concatenate()([a, b]))
    outputs = {"score": out, "parts": [a, (b, out)]}
    model = keras.Model({"b": b, "a": a}, outputs, name="dicts")
    code, rebuilt, _ = assert_round_trip(model)
    assert "inputs={'b': b, 'a': a}" in code
    assert "outputs={'score': out, 'parts': [a, (b, out)]}" in code
    assert list(rebuilt.input) == ["b", "a"]
    assert keras.tree.map_structure(lambda t: tuple(t.shape), rebuilt.output) == (
        keras.tree.map_structure(lambda t: tuple(t.shape), model.output)
    )


@pytest.mark.skipif(
    BACKEND != "tensorflow", reason="string tensors need the TensorFlow backend"
)
def test_string_inputs_through_string_lookup():
    # num_oov_indices=0: a string outside the vocabulary would raise
    code, _, _ = assert_round_trip(zoo.wide_deep())
    assert "dtype='string'" in code
    assert "inputs={" in code


def test_random_inputs_follow_vocabularies_and_embeddings():
    ids = keras.Input((5,), dtype="int32", name="ids")
    emb = layers.Embedding(7, 2)(ids)
    small = keras.Input((5,), dtype="int32", name="small")
    model = keras.Model([ids, small], [emb, ops.cast(small, "float32")])
    hints = _input_hints(model)
    assert hints == {0: ("below", 7)}
    rng = np.random.default_rng(0)
    values = _random_input(model.inputs[0], rng, hints[0])
    assert values.max() < 7
    assert values.max() >= 2  # not only the default small ints
    assert _random_input(model.inputs[1], rng).max() < 2
    words = _random_input(
        keras.KerasTensor((None, 4), dtype="string"), rng, ("vocabulary", ["a", "b"])
    )
    assert set(words.ravel()) <= {"a", "b"}


def test_weights_matched_when_names_differ():
    def build(prefix):
        x = keras.Input((4,), name=f"{prefix}_in")
        h = layers.Dense(3, name=f"{prefix}_hidden")(x)
        return keras.Model(x, layers.Dense(2, name=f"{prefix}_out")(h))

    a, b = build("a"), build("b")
    report = check_equivalent(a, b)
    assert report.equivalent, report.summary
    assert report.mapping["a_hidden"] == "b_hidden"


# ---- subclassed models (traced) --------------------------------------------------------------
def test_subclassed_model_is_written_as_functional():
    pytest.importorskip("kerasviz.graph.trace")
    model = zoo.subclassed_mlp()
    code, rebuilt, said = generated(model)
    assert not said
    assert re.search(r"^relu = keras\.ops\.relu\(dense\w*\)$", code, re.M), code
    assert (
        "# 'mlp' is a tests.zoo.MLP; this is the Functional model its call() traces to."
        in code
    )
    assert re.search(
        r"^model = keras\.Model\(inputs=x, outputs=dense\w*, name='mlp'\)$", code, re.M
    )
    assert check_equivalent(model, rebuilt).equivalent
    assert check_equivalent(rebuilt, model).equivalent
    # the trace left nothing behind: the model still calls as before
    assert model(np.ones((1, 8), dtype="float32")).shape == (1, 3)


def test_untraceable_subclassed_model_says_why():
    class Later(keras.Model):
        def call(self, x):
            return x

    with pytest.raises(ValueError, match="cannot read a subclassed model") as info:
        to_code(Later())
    assert "Received: Later" in str(info.value)


# ---- compare() never raises on code it cannot run --------------------------------------------
def test_compare_shows_code_it_cannot_run_and_why():
    model = keras.Sequential([keras.Input((4,)), Opaque(3)], name="opaque_seq")
    with pytest.warns(CodegenWarning):
        view = kerasviz.compare(model)
    assert view.verdict is not None
    assert not view.verdict.equivalent
    reason = view.verdict.differences[0]
    assert "could not be run" in reason
    assert "TypeError" in reason or "ValueError" in reason
    columns = view.data["columns"]
    assert "Opaque(None)" in columns[1]["code"]
    assert columns[0]["view"] is not None  # the model itself is still drawn
    validate_payload(view.saved_payload(), "comparison")


def test_writing_and_checking_leave_keras_auto_names_alone():
    def number(name):
        head, _, tail = name.rpartition("_")
        return int(tail) if head == "dense" and tail.isdigit() else 0

    model = zoo.text_transformer()  # custom layers that make inner Dense layers
    _, rebuilt, _ = generated(model)
    first = layers.Dense(1).name
    to_code(model)  # builds each custom layer once, to check what it wrote
    check_equivalent(model, rebuilt)  # clones the second model
    second = layers.Dense(1).name
    assert number(second) == number(first) + 1, (first, second)
