# Autoencoder in 10 lines; saved by an editor that writes no final newline.
import numpy as np
from keras.layers import Input, Dense
from keras.models import Model
from keras.layers.normalization import BatchNormalization
inp = Input(shape=(8,))
code = BatchNormalization()(Dense(3, activation="relu")(inp))
auto = Model(inp, Dense(8, activation="sigmoid")(code))
auto.compile(optimizer="adadelta", loss="binary_crossentropy")
auto.fit(np.random.rand(32, 8), np.random.rand(32, 8), epochs=1, verbose=0)
print("reconstruction shape:", auto.predict(np.random.rand(2, 8), verbose=0).shape)