# Indented with tabs, as some editors of the time did (Keras 2.1).
import numpy as np
from keras.models import Sequential
from keras.layers.core import Dense, Activation
from keras.layers.normalization import BatchNormalization
from keras.optimizers import SGD


def build(n_features):
	model = Sequential()
	model.add(Dense(8, input_shape=(n_features,)))
	model.add(BatchNormalization())
	model.add(Activation("relu"))
	model.add(Dense(1, activation="sigmoid"))
	return model


if __name__ == "__main__":
	model = build(8)
	if True:
		from keras.layers.convolutional import Conv1D
		print("conv layer available:", Conv1D.__name__)
	model.compile(optimizer=SGD(learning_rate=0.1), loss="binary_crossentropy")
	model.fit(np.random.rand(32, 8), np.random.randint(0, 2, (32, 1)), epochs=1, verbose=0)
	print("ok")
