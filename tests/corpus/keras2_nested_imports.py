"""Imports hidden inside functions, if-blocks and try-blocks (library code, 2019).

Libraries imported Keras lazily so that `import mylib` stayed cheap, and switched
behaviour on flags.
"""
import os
import sys

import numpy as np

USE_BN = os.environ.get('MYLIB_NO_BN') is None


def make_model(n_in):
    from keras.models import Sequential
    from keras.layers import Dense, Activation
    model = Sequential()
    model.add(Dense(8, input_shape=(n_in,)))
    if USE_BN:
        from keras.layers.normalization import BatchNormalization
        model.add(BatchNormalization())
    model.add(Activation('tanh'))
    model.add(Dense(1))
    return model


class Trainer(object):
    def __init__(self):
        try:
            from keras.optimizers import Adam
            self.optimizer = Adam(learning_rate=1e-3)
        except ImportError:
            self.optimizer = 'adam'

    def train(self, model, x, y):
        import keras.callbacks as cbs
        model.compile(optimizer=self.optimizer, loss='mse')
        history = cbs.History()
        model.fit(x, y, epochs=1, verbose=0, callbacks=[history])
        return history


if sys.version_info[0] >= 3:
    from keras.utils import np_utils
    labels = np_utils.to_categorical([0, 1, 2, 1], 3)
else:
    labels = None

if __name__ == '__main__':
    h = Trainer().train(make_model(8), np.random.rand(32, 8), np.random.rand(32, 1))
    print('epochs run:', len(h.history['loss']), 'labels shape:', labels.shape)
