"""The seed case: a standalone-Keras model with one layer pasted in from tf.keras.

Someone followed a Keras tutorial, then copied a BatchNormalization line from a TensorFlow
answer.  Where `keras` and `tensorflow.keras` are one library this runs; where they are two
(TF 2.21 + tf-keras with TF_USE_LEGACY_KERAS=1, or TF 1.x + keras 2.3) model.add() fails.
"""
import numpy as np
from keras.models import Sequential
from keras.layers import Dense, Activation
from keras.optimizers import Adam
from tensorflow.keras.layers import BatchNormalization

model = Sequential()
model.add(Dense(16, input_shape=(8,)))
model.add(BatchNormalization())
model.add(Activation('relu'))
model.add(Dense(1, activation='sigmoid'))
model.compile(optimizer=Adam(learning_rate=0.001), loss='binary_crossentropy')
model.fit(np.random.rand(32, 8), np.random.randint(0, 2, (32, 1)), epochs=1, verbose=0)
print('mixed model trained:', len(model.layers), 'layers')
