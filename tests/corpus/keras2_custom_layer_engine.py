# Custom attention-like layer, the way Keras 2.0-2.2 blog posts wrote them:
# subclass keras.engine.topology.Layer, use K.* backend functions inside call().
import numpy as np
import keras.backend as K
from keras.engine.topology import Layer
from keras.engine import InputSpec
from keras.models import Sequential
from keras.layers import Dense


class WeightedSum(Layer):
    """Multiplies the input by a trainable kernel and adds a bias."""

    def __init__(self, output_dim, **kwargs):
        self.output_dim = output_dim
        super(WeightedSum, self).__init__(**kwargs)
        self.input_spec = InputSpec(ndim=2)

    def build(self, input_shape):
        self.kernel = self.add_weight(name='kernel',
                                      shape=(int(input_shape[1]), self.output_dim),
                                      initializer='uniform',
                                      trainable=True)
        self.bias = self.add_weight(name='bias', shape=(self.output_dim,),
                                    initializer='zeros', trainable=True)
        super(WeightedSum, self).build(input_shape)

    def call(self, x):
        return K.relu(K.bias_add(K.dot(x, self.kernel), self.bias))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.output_dim)


model = Sequential()
model.add(Dense(8, input_shape=(8,)))
model.add(WeightedSum(4))
model.add(Dense(1, activation='sigmoid'))
model.compile(optimizer='adam', loss='binary_crossentropy')
model.fit(np.random.rand(32, 8), np.random.randint(0, 2, (32, 1)), epochs=1, verbose=0)
print('custom layer output shape:', model.layers[1].compute_output_shape((None, 8)))
