"""Sequence regressor that uses the fast cuDNN kernel when a GPU is there (Keras 2.1-2.3 era).

CuDNNLSTM only runs on a GPU, so scripts of that time picked the layer at run time.
On a CPU-only machine the plain LSTM branch runs.
"""
import numpy as np
import tensorflow as tf
from keras import backend as K
from keras.layers import CuDNNLSTM, LSTM, Dense, Input
from keras.models import Model


def gpu_available():
    # tf.test.is_gpu_available() was the 2018 idiom; list_physical_devices is the same
    # question asked without building a session.
    try:
        return bool(tf.config.list_physical_devices('GPU'))
    except AttributeError:
        return tf.test.is_gpu_available()


def build(timesteps, features):
    inp = Input(shape=(timesteps, features))
    if gpu_available():
        x = CuDNNLSTM(16)(inp)
    else:
        x = LSTM(16)(inp)
    out = Dense(1)(x)
    return Model(inputs=inp, outputs=out)


X = np.random.rand(32, 5, 3).astype(K.floatx())
y = np.random.rand(32, 1).astype(K.floatx())
model = build(5, 3)
model.compile(optimizer='rmsprop', loss='mse')
model.fit(X, y, epochs=1, batch_size=16, verbose=0)
print('cuDNN layer class:', CuDNNLSTM.__name__)
print('mse:', model.evaluate(X, y, verbose=0))
