"""A zoo of tiny models written the way keras.io examples write them.

Each builder returns a fresh, built model (well under a second to build). The custom
layers are written as people really write them: some with ``get_config()``, some
without, some with no ``**kwargs``; all at module level, so they import as
``tests.zoo.<Name>`` (the code ``to_code`` writes imports them from here).

``ZOO`` maps a name to a builder of our own Keras models; ``KERAS_HUB`` maps a name to
a builder of a KerasHub model made from its constructor with a small config (no
download: never ``from_preset``). ``keras_hub`` is imported only when such a builder
runs.
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras
import numpy as np
from keras import layers, ops

IMAGE = (16, 16, 3)


# ---- ViT (keras.io "Image classification with Vision Transformer") ------------------
class Patches(layers.Layer):
    """Cuts images into flattened square patches (keras.io writes no **kwargs)."""

    def __init__(self, patch_size):
        super().__init__()
        self.patch_size = patch_size

    def call(self, images):
        input_shape = ops.shape(images)
        batch_size = input_shape[0]
        height, width, channels = input_shape[1], input_shape[2], input_shape[3]
        num_patches_h = height // self.patch_size
        num_patches_w = width // self.patch_size
        patches = keras.ops.image.extract_patches(images, size=self.patch_size)
        return ops.reshape(
            patches,
            (
                batch_size,
                num_patches_h * num_patches_w,
                self.patch_size * self.patch_size * channels,
            ),
        )

    def get_config(self):
        config = super().get_config()
        config.update({"patch_size": self.patch_size})
        return config


class PatchEncoder(layers.Layer):
    """Projects each patch and adds a learned position embedding."""

    def __init__(self, num_patches, projection_dim):
        super().__init__()
        self.num_patches = num_patches
        self.projection = layers.Dense(units=projection_dim)
        self.position_embedding = layers.Embedding(
            input_dim=num_patches, output_dim=projection_dim
        )

    def call(self, patch):
        positions = ops.expand_dims(
            ops.arange(start=0, stop=self.num_patches, step=1), axis=0
        )
        projected_patches = self.projection(patch)
        return projected_patches + self.position_embedding(positions)

    def get_config(self):
        config = super().get_config()
        config.update({"num_patches": self.num_patches})
        return config


def _mlp(x, hidden_units, dropout_rate):
    for units in hidden_units:
        x = layers.Dense(units, activation=keras.activations.gelu)(x)
        x = layers.Dropout(dropout_rate)(x)
    return x


def vit():
    patch_size, projection_dim, num_heads = 4, 8, 2
    num_patches = (IMAGE[0] // patch_size) ** 2
    inputs = keras.Input(shape=IMAGE)
    patches = Patches(patch_size)(inputs)
    encoded_patches = PatchEncoder(num_patches, projection_dim)(patches)
    for _ in range(2):
        x1 = layers.LayerNormalization(epsilon=1e-6)(encoded_patches)
        attention_output = layers.MultiHeadAttention(
            num_heads=num_heads, key_dim=projection_dim, dropout=0.1
        )(x1, x1)
        x2 = layers.Add()([attention_output, encoded_patches])
        x3 = layers.LayerNormalization(epsilon=1e-6)(x2)
        x3 = _mlp(
            x3, hidden_units=[projection_dim * 2, projection_dim], dropout_rate=0.1
        )
        encoded_patches = layers.Add()([x3, x2])
    representation = layers.LayerNormalization(epsilon=1e-6)(encoded_patches)
    representation = layers.Flatten()(representation)
    representation = layers.Dropout(0.5)(representation)
    features = _mlp(representation, hidden_units=[16, 8], dropout_rate=0.5)
    logits = layers.Dense(5)(features)
    return keras.Model(inputs=inputs, outputs=logits, name="vit")


# ---- Text classification with a Transformer (keras.io) ------------------------------
class TransformerBlock(layers.Layer):
    """keras.io's block: no get_config(), no **kwargs."""

    def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1):
        super().__init__()
        self.att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.ffn = keras.Sequential(
            [layers.Dense(ff_dim, activation="relu"), layers.Dense(embed_dim)]
        )
        self.layernorm1 = layers.LayerNormalization(epsilon=1e-6)
        self.layernorm2 = layers.LayerNormalization(epsilon=1e-6)
        self.dropout1 = layers.Dropout(rate)
        self.dropout2 = layers.Dropout(rate)

    def call(self, inputs):
        attn_output = self.att(inputs, inputs)
        attn_output = self.dropout1(attn_output)
        out1 = self.layernorm1(inputs + attn_output)
        ffn_output = self.ffn(out1)
        ffn_output = self.dropout2(ffn_output)
        return self.layernorm2(out1 + ffn_output)


class TokenAndPositionEmbedding(layers.Layer):
    def __init__(self, maxlen, vocab_size, embed_dim):
        super().__init__()
        self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

    def call(self, x):
        maxlen = ops.shape(x)[-1]
        positions = ops.arange(start=0, stop=maxlen, step=1)
        positions = self.pos_emb(positions)
        x = self.token_emb(x)
        return x + positions


def text_transformer():
    vocab_size, maxlen, embed_dim, num_heads, ff_dim = 50, 12, 8, 2, 16
    inputs = layers.Input(shape=(maxlen,))
    embedding_layer = TokenAndPositionEmbedding(maxlen, vocab_size, embed_dim)
    x = embedding_layer(inputs)
    transformer_block = TransformerBlock(embed_dim, num_heads, ff_dim)
    x = transformer_block(x)
    x = layers.GlobalAveragePooling1D()(x)
    x = layers.Dropout(0.1)(x)
    x = layers.Dense(8, activation="relu")(x)
    x = layers.Dropout(0.1)(x)
    outputs = layers.Dense(2, activation="softmax")(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="text_transformer")


# ---- Variational autoencoder (keras.io "Variational AutoEncoder") -------------------
class Sampling(layers.Layer):
    """Draws z from (z_mean, z_log_var) with the reparameterisation trick."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        batch = ops.shape(z_mean)[0]
        dim = ops.shape(z_mean)[1]
        epsilon = keras.random.normal(shape=(batch, dim), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon


LATENT_DIM = 2


def vae_encoder():
    encoder_inputs = keras.Input(shape=(16, 16, 1))
    x = layers.Conv2D(4, 3, activation="relu", strides=2, padding="same")(
        encoder_inputs
    )
    x = layers.Conv2D(8, 3, activation="relu", strides=2, padding="same")(x)
    x = layers.Flatten()(x)
    x = layers.Dense(16, activation="relu")(x)
    z_mean = layers.Dense(LATENT_DIM, name="z_mean")(x)
    z_log_var = layers.Dense(LATENT_DIM, name="z_log_var")(x)
    z = Sampling()([z_mean, z_log_var])
    return keras.Model(encoder_inputs, [z_mean, z_log_var, z], name="encoder")


def vae_decoder():
    latent_inputs = keras.Input(shape=(LATENT_DIM,))
    x = layers.Dense(4 * 4 * 8, activation="relu")(latent_inputs)
    x = layers.Reshape((4, 4, 8))(x)
    x = layers.Conv2DTranspose(8, 3, activation="relu", strides=2, padding="same")(x)
    x = layers.Conv2DTranspose(4, 3, activation="relu", strides=2, padding="same")(x)
    decoder_outputs = layers.Conv2DTranspose(
        1, 3, activation="sigmoid", padding="same"
    )(x)
    return keras.Model(latent_inputs, decoder_outputs, name="decoder")


def vae():
    encoder, decoder = vae_encoder(), vae_decoder()
    inputs = keras.Input(shape=(16, 16, 1), name="image")
    z_mean, z_log_var, z = encoder(inputs)
    reconstruction = decoder(z)
    return keras.Model(inputs, [reconstruction, z_mean, z_log_var], name="vae")


# ---- A small U-Net -------------------------------------------------------------------
def _conv_block(x, filters):
    x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
    return layers.Conv2D(filters, 3, padding="same", activation="relu")(x)


def unet():
    inputs = keras.Input(shape=IMAGE)
    c1 = _conv_block(inputs, 4)
    p1 = layers.MaxPooling2D(2)(c1)
    c2 = _conv_block(p1, 8)
    p2 = layers.MaxPooling2D(2)(c2)
    bottleneck = _conv_block(p2, 16)
    u2 = layers.Conv2DTranspose(8, 2, strides=2, padding="same")(bottleneck)
    u2 = layers.concatenate([u2, c2])
    c3 = _conv_block(u2, 8)
    u1 = layers.Conv2DTranspose(4, 2, strides=2, padding="same")(c3)
    u1 = layers.concatenate([u1, c1])
    c4 = _conv_block(u1, 4)
    outputs = layers.Conv2D(1, 1, activation="sigmoid")(c4)
    return keras.Model(inputs, outputs, name="unet")


# ---- Wide & deep on dict string inputs (keras.io "Wide, Deep & Cross") ---------------
NUMERIC_FEATURE_NAMES = ["age", "hours_per_week"]
CATEGORICAL_FEATURES_WITH_VOCABULARY = {
    "workclass": ["private", "self-emp", "gov"],
    "education": ["hs", "bachelors", "masters", "doctorate"],
}


def _model_inputs():
    inputs = {}
    for name in NUMERIC_FEATURE_NAMES:
        inputs[name] = layers.Input(name=name, shape=(), dtype="float32")
    for name in CATEGORICAL_FEATURES_WITH_VOCABULARY:
        inputs[name] = layers.Input(name=name, shape=(), dtype="string")
    return inputs


def _encode_inputs(inputs, use_embedding):
    encoded_features = []
    for name, tensor in inputs.items():
        if name in CATEGORICAL_FEATURES_WITH_VOCABULARY:
            vocabulary = CATEGORICAL_FEATURES_WITH_VOCABULARY[name]
            lookup = layers.StringLookup(
                vocabulary=vocabulary,
                mask_token=None,
                num_oov_indices=0,
                output_mode="int" if use_embedding else "one_hot",
            )
            encoded = lookup(tensor)
            if use_embedding:
                embedding = layers.Embedding(input_dim=len(vocabulary), output_dim=2)
                encoded = embedding(encoded)
        else:
            encoded = ops.expand_dims(tensor, -1)
        encoded_features.append(encoded)
    return layers.concatenate(encoded_features)


def wide_deep():
    inputs = _model_inputs()
    wide = _encode_inputs(inputs, use_embedding=False)
    wide = layers.BatchNormalization()(wide)
    deep = _encode_inputs(inputs, use_embedding=True)
    for units in (8, 8):
        deep = layers.Dense(units)(deep)
        deep = layers.BatchNormalization()(deep)
        deep = layers.ReLU()(deep)
        deep = layers.Dropout(0.1)(deep)
    merged = layers.concatenate([wide, deep])
    outputs = layers.Dense(1, activation="sigmoid")(merged)
    return keras.Model(inputs=inputs, outputs=outputs, name="wide_deep")


# ---- A GAN: two Sequentials and the combined model (keras.io DCGAN) ---------------------
GAN_LATENT = 8


def gan_discriminator():
    return keras.Sequential(
        [
            keras.Input(shape=(16, 16, 1)),
            layers.Conv2D(8, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(16, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Flatten(),
            layers.Dropout(0.2),
            layers.Dense(1, activation="sigmoid"),
        ],
        name="discriminator",
    )


def gan_generator():
    return keras.Sequential(
        [
            keras.Input(shape=(GAN_LATENT,)),
            layers.Dense(4 * 4 * 16),
            layers.Reshape((4, 4, 16)),
            layers.Conv2DTranspose(16, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2DTranspose(8, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(1, kernel_size=5, padding="same", activation="sigmoid"),
        ],
        name="generator",
    )


def gan():
    return keras.Sequential([gan_generator(), gan_discriminator()], name="gan")


# ---- Siamese network with a shared encoder (keras.io "contrastive loss") -------------
def euclidean_distance(vects):
    x, y = vects
    sum_square = ops.sum(ops.square(x - y), axis=1, keepdims=True)
    return ops.sqrt(ops.maximum(sum_square, keras.backend.epsilon()))


def siamese():
    inp = keras.Input((16, 16, 1))
    x = layers.BatchNormalization()(inp)
    x = layers.Conv2D(4, (5, 5), activation="tanh")(x)
    x = layers.AveragePooling2D(pool_size=(2, 2))(x)
    x = layers.Flatten()(x)
    x = layers.BatchNormalization()(x)
    x = layers.Dense(8, activation="tanh")(x)
    embedding_network = keras.Model(inp, x, name="embedding_network")

    input_1 = keras.Input((16, 16, 1))
    input_2 = keras.Input((16, 16, 1))
    tower_1 = embedding_network(input_1)
    tower_2 = embedding_network(input_2)
    merge_layer = layers.Lambda(euclidean_distance, output_shape=(1,))(
        [tower_1, tower_2]
    )
    normal_layer = layers.BatchNormalization()(merge_layer)
    output_layer = layers.Dense(1, activation="sigmoid")(normal_layer)
    return keras.Model(inputs=[input_1, input_2], outputs=output_layer, name="siamese")


# ---- Text CNN (keras.io "Text classification from scratch") ---------------------------
def text_cnn():
    max_features, embedding_dim = 100, 8
    inputs = keras.Input(shape=(None,), dtype="int64")
    x = layers.Embedding(max_features, embedding_dim)(inputs)
    x = layers.Dropout(0.5)(x)
    x = layers.Conv1D(8, 3, padding="valid", activation="relu", strides=1)(x)
    x = layers.Conv1D(8, 3, padding="valid", activation="relu", strides=1)(x)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.Dense(8, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    predictions = layers.Dense(1, activation="sigmoid", name="predictions")(x)
    return keras.Model(inputs, predictions, name="text_cnn")


# ---- A custom layer with no **kwargs and no get_config() ------------------------------
class Scale(layers.Layer):
    """Multiplies by a learned per-feature scale times a constant factor."""

    def __init__(self, factor):
        super().__init__()
        self.factor = factor

    def build(self, input_shape):
        self.scale = self.add_weight(
            shape=(input_shape[-1],), initializer="ones", name="scale"
        )

    def call(self, x):
        return x * self.scale * self.factor


def no_config_layer():
    inputs = keras.Input((8,))
    x = layers.Dense(8, activation="relu")(inputs)
    x = Scale(2.0)(x)
    outputs = layers.Dense(2)(x)
    return keras.Model(inputs, outputs, name="no_config_layer")


# ---- A callable activation ----------------------------------------------------------------
def callable_activation():
    inputs = keras.Input((8,))
    x = layers.Dense(16, activation=keras.ops.gelu)(inputs)
    outputs = layers.Dense(2)(x)
    return keras.Model(inputs, outputs, name="callable_activation")


# ---- A Lambda wrapping a named module-level function ----------------------------------------
def l2_normalize(x):
    return x / ops.sqrt(ops.sum(ops.square(x), axis=-1, keepdims=True) + 1e-6)


def lambda_function():
    inputs = keras.Input((8,))
    x = layers.Dense(4)(inputs)
    x = layers.Lambda(l2_normalize, name="l2_normalize")(x)
    outputs = layers.Dense(2)(x)
    return keras.Model(inputs, outputs, name="lambda_function")


# ---- A layer that hands its name to an inner layer ----------------------------------------
class NamedProjection(layers.Layer):
    """Wraps a Dense that carries the wrapper's own name."""

    def __init__(self, units, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.units = units
        self.dense = layers.Dense(units, name=self.name)
        self.norm = layers.LayerNormalization(name=f"{self.name}_norm")

    def call(self, x):
        return self.norm(self.dense(x))

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def name_to_inner():
    inputs = keras.Input((8,))
    x = NamedProjection(6, name="projection")(inputs)
    outputs = layers.Dense(2)(x)
    return keras.Model(inputs, outputs, name="name_to_inner")


# ---- A subclassed keras.Model, called once on a batch ---------------------------------------
class MLP(keras.Model):
    def __init__(self, hidden=16, classes=3, **kwargs):
        super().__init__(**kwargs)
        self.dense1 = layers.Dense(hidden)
        self.dense2 = layers.Dense(classes)

    def call(self, x):
        return self.dense2(keras.ops.relu(self.dense1(x)))


def subclassed_mlp():
    model = MLP(name="mlp")
    model(np.zeros((2, 8), dtype="float32"))
    return model


# ---- A custom residual block ----------------------------------------------------------------
class ResidualBlock(layers.Layer):
    """conv → conv → add the input → relu, with a proper get_config()."""

    def __init__(self, filters, kernel_size=3, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters
        self.kernel_size = kernel_size
        self.conv1 = layers.Conv2D(
            filters, kernel_size, padding="same", activation="relu"
        )
        self.conv2 = layers.Conv2D(filters, kernel_size, padding="same")
        self.add = layers.Add()
        self.act = layers.Activation("relu")

    def call(self, x):
        y = self.conv1(x)
        y = self.conv2(y)
        return self.act(self.add([x, y]))

    def get_config(self):
        config = super().get_config()
        config.update({"filters": self.filters, "kernel_size": self.kernel_size})
        return config


def residual_blocks():
    inputs = keras.Input(shape=IMAGE)
    x = layers.Conv2D(8, 3, padding="same", activation="relu")(inputs)
    x = ResidualBlock(8)(x)
    x = ResidualBlock(8)(x)
    x = layers.GlobalAveragePooling2D()(x)
    outputs = layers.Dense(2)(x)
    return keras.Model(inputs, outputs, name="residual_blocks")


ZOO = {
    "vit": vit,
    "text_transformer": text_transformer,
    "vae_encoder": vae_encoder,
    "vae_decoder": vae_decoder,
    "vae": vae,
    "unet": unet,
    "wide_deep": wide_deep,
    "gan_generator": gan_generator,
    "gan_discriminator": gan_discriminator,
    "gan": gan,
    "siamese": siamese,
    "text_cnn": text_cnn,
    "no_config_layer": no_config_layer,
    "callable_activation": callable_activation,
    "lambda_function": lambda_function,
    "name_to_inner": name_to_inner,
    "subclassed_mlp": subclassed_mlp,
    "residual_blocks": residual_blocks,
}


# ---- KerasHub, from constructors with small configs -------------------------------------
VOCAB = 64
SEQ = 16


def bert_backbone():
    import keras_hub

    return keras_hub.models.BertBackbone(
        vocabulary_size=VOCAB,
        num_layers=2,
        num_heads=2,
        hidden_dim=16,
        intermediate_dim=32,
        max_sequence_length=SEQ,
    )


def gpt2_backbone():
    import keras_hub

    return keras_hub.models.GPT2Backbone(
        vocabulary_size=VOCAB,
        num_layers=2,
        num_heads=2,
        hidden_dim=16,
        intermediate_dim=32,
        max_sequence_length=SEQ,
    )


def gemma_backbone():
    import keras_hub

    return keras_hub.models.GemmaBackbone(
        vocabulary_size=VOCAB,
        num_layers=2,
        num_query_heads=2,
        num_key_value_heads=1,
        hidden_dim=16,
        intermediate_dim=32,
        head_dim=8,
    )


def llama_backbone():
    import keras_hub

    return keras_hub.models.LlamaBackbone(
        vocabulary_size=VOCAB,
        num_layers=2,
        num_query_heads=2,
        num_key_value_heads=1,
        hidden_dim=16,
        intermediate_dim=32,
    )


def vit_backbone():
    import keras_hub

    return keras_hub.models.ViTBackbone(
        image_shape=IMAGE,
        patch_size=4,
        num_layers=2,
        num_heads=2,
        hidden_dim=16,
        mlp_dim=32,
    )


def bert_text_classifier():
    import keras_hub

    return keras_hub.models.BertTextClassifier(
        backbone=bert_backbone(), num_classes=2, preprocessor=None
    )


KERAS_HUB = {
    "bert_backbone": bert_backbone,
    "gpt2_backbone": gpt2_backbone,
    "gemma_backbone": gemma_backbone,
    "llama_backbone": llama_backbone,
    "vit_backbone": vit_backbone,
    "bert_text_classifier": bert_text_classifier,
}
