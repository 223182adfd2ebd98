"""Keras 3 style (2024): backend-agnostic code with keras.ops and a subclassed layer.

Runs on whichever backend KERAS_BACKEND or ~/.keras/keras.json selects.
"""
import numpy as np
import keras
from keras import layers, ops


@keras.saving.register_keras_serializable(package="corpus")
class RMSNorm(layers.Layer):
    def __init__(self, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = epsilon

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="scale")

    def call(self, x):
        ms = ops.mean(ops.square(x), axis=-1, keepdims=True)
        return x * ops.rsqrt(ms + self.epsilon) * self.scale

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}


inputs = keras.Input(shape=(8,))
x = layers.Dense(16)(inputs)
x = RMSNorm()(x)
x = keras.ops.relu(x)
outputs = layers.Dense(3, activation="softmax")(x)
model = keras.Model(inputs, outputs)
model.compile(
    optimizer=keras.optimizers.AdamW(learning_rate=1e-3),
    loss=keras.losses.SparseCategoricalCrossentropy(),
    metrics=[keras.metrics.SparseCategoricalAccuracy()],
)
model.fit(np.random.rand(32, 8), np.random.randint(0, 3, (32,)), epochs=1, batch_size=8, verbose=0)
probs = model.predict(np.random.rand(4, 8), verbose=0)
print("backend:", keras.backend.backend(), "argmax:", keras.ops.convert_to_numpy(ops.argmax(probs, axis=-1)))
