"""A ladder that prefers the old standalone path and falls back to tf.keras.

The model comes from `keras`; only BatchNormalization goes through the ladder.  On
Keras 2.6+ the first branch fails, the fallback runs, and the file then mixes
implementations wherever `keras` and `tensorflow.keras` differ.
"""
import numpy as np
from keras.models import Sequential
from keras.layers import Dense

try:
    from keras.layers.normalization import BatchNormalization
except ImportError as exc:  # keras >= 2.6 moved it
    print('falling back:', exc)
    from tensorflow.keras.layers import BatchNormalization

model = Sequential()
model.add(Dense(8, input_shape=(8,), activation='relu'))
model.add(BatchNormalization())
model.add(Dense(1))
model.compile(optimizer='sgd', loss='mse')
model.fit(np.random.rand(32, 8), np.random.rand(32, 1), epochs=1, verbose=0)
print('ok')
