"""Regression with tf.keras, saved by a Windows editor as "UTF-8 with BOM".

Température → consommation (°C → kWh); commentaires en français, 日本語のコメント.
"""
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers
from tensorflow.keras.optimizers import Adam

températures = np.random.rand(32, 8).astype("float32")
consommation = np.random.rand(32, 1).astype("float32")

model = keras.Sequential([
    layers.Dense(16, activation="relu", input_shape=(8,)),
    layers.BatchNormalization(),
    layers.Dense(1),
])
model.compile(optimizer=Adam(learning_rate=1e-3), loss="mse")
model.fit(températures, consommation, epochs=1, batch_size=8, verbose=0)
print("TF", tf.__version__, "— perte :", float(model.evaluate(températures, consommation, verbose=0)))
