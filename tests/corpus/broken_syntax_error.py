# Half-edited file: an unclosed bracket. Nothing may be written to it.
import numpy as np
from keras.models import Sequential
from keras.layers.normalization import BatchNormalization
from keras.layers import Dense

model = Sequential([
    Dense(8, input_shape=(8,)),
    BatchNormalization(),
    Dense(1, activation='sigmoid'
model.compile(optimizer='adam', loss='binary_crossentropy')
model.fit(np.random.rand(32, 8), np.random.rand(32, 1), epochs=1)
