# Code that imported from TensorFlow's private copy of Keras (IDE autocompletion style,
# TF 2.0-2.5): tensorflow.python.keras works by accident and is not the public API.
import numpy as np
from tensorflow.python.keras.models import Sequential
from tensorflow.python.keras.layers import Dense, Dropout
from tensorflow.python.keras.utils.np_utils import to_categorical

y = to_categorical(np.random.randint(0, 3, size=(32,)), num_classes=3)
model = Sequential()
model.add(Dense(16, activation='relu', input_shape=(8,)))
model.add(Dropout(0.1))
model.add(Dense(3, activation='softmax'))
model.compile(optimizer='adam', loss='categorical_crossentropy')
model.fit(np.random.rand(32, 8), y, epochs=1, batch_size=8, verbose=0)
print('trained, output shape:', model.output_shape)
