"""A hand-written optimizer for multi-backend Keras 2.1-2.3.

keras.legacy.interfaces only ever existed in multi-backend Keras (it converted Keras 1
argument names); nothing replaces it.  This file runs only where that Keras is installed.
"""
import numpy as np
from keras import backend as K
from keras.legacy import interfaces
from keras.optimizers import Optimizer
from keras.models import Sequential
from keras.layers import Dense


class PlainSGD(Optimizer):
    def __init__(self, lr=0.01, **kwargs):
        super(PlainSGD, self).__init__(**kwargs)
        with K.name_scope(self.__class__.__name__):
            self.lr = K.variable(lr, name='lr')
            self.iterations = K.variable(0, dtype='int64', name='iterations')

    @interfaces.legacy_get_updates_support
    def get_updates(self, loss, params):
        grads = self.get_gradients(loss, params)
        self.updates = [K.update_add(self.iterations, 1)]
        for p, g in zip(params, grads):
            self.updates.append(K.update(p, p - self.lr * g))
        return self.updates

    def get_config(self):
        config = {'lr': float(K.get_value(self.lr))}
        base_config = super(PlainSGD, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


model = Sequential([Dense(4, input_shape=(8,), activation='relu'), Dense(1)])
model.compile(optimizer=PlainSGD(lr=0.05), loss='mse')
model.fit(np.random.rand(32, 8), np.random.rand(32, 1), epochs=1, verbose=0)
print('trained with', type(model.optimizer).__name__)
