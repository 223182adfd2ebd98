"""TF 1.x code kept alive on TF 2.x through tf.compat.v1 (2019-2020 migration style)."""
import numpy as np
import tensorflow as tf
import tensorflow.compat.v1 as tf1
from tensorflow.compat.v1.keras.layers import Dense

tf1.set_random_seed(0)

model = tf.compat.v1.keras.Sequential()
model.add(Dense(16, input_shape=(8,), activation='relu'))
model.add(tf.compat.v1.keras.layers.BatchNormalization())
model.add(tf.compat.v1.keras.layers.Dense(1, activation='sigmoid'))
model.compile(optimizer=tf.compat.v1.keras.optimizers.Adam(learning_rate=0.001),
              loss='binary_crossentropy')
model.fit(np.random.rand(32, 8), np.random.randint(0, 2, (32, 1)), epochs=1, verbose=0)
print('compat BN class:', type(model.layers[1]).__name__)
print('backend floatx:', tf.compat.v1.keras.backend.floatx())
