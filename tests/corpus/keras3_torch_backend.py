# Keras 3 on PyTorch: the backend must be chosen before keras is first imported.
import os

os.environ["KERAS_BACKEND"] = "torch"

import tempfile  # noqa: E402

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402
from keras.utils import to_categorical  # noqa: E402

keras.utils.set_random_seed(0)

model = keras.Sequential(
    [
        keras.Input(shape=(8,)),
        layers.Dense(16, activation="gelu"),
        layers.BatchNormalization(),
        layers.Dropout(0.1),
        layers.Dense(3, activation="softmax"),
    ]
)
model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy")
y = to_categorical(np.random.randint(0, 3, 32), num_classes=3)
model.fit(np.random.rand(32, 8).astype("float32"), y, epochs=1, batch_size=8, verbose=0)

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "model.keras")
    model.save(path)
    again = keras.models.load_model(path)
    print("reloaded on", keras.config.backend(), "with", len(again.layers), "layers")
print("sum via ops:", float(keras.ops.sum(keras.ops.ones((2, 3)))))
