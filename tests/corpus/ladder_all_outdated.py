# Every branch of this ladder names a path that modern installs no longer have:
# multi-backend Keras, TF 2.0-2.7's private copy, and TF 1.x contrib.
import numpy as np

try:
    from keras.layers.normalization import BatchNormalization
    from keras.utils.np_utils import to_categorical
except ImportError:
    try:
        from tensorflow.python.keras.layers.normalization import BatchNormalization
        from tensorflow.python.keras.utils.np_utils import to_categorical
    except ImportError:
        from tensorflow.contrib.keras.api.keras.layers import BatchNormalization
        from tensorflow.contrib.keras.api.keras.utils import to_categorical

try:
    from keras.engine.topology import Input
except ImportError:
    from tensorflow.python.keras.engine.input_layer import Input

from tensorflow.keras.layers import Dense
from tensorflow.keras.models import Model

inp = Input(shape=(8,))
out = Dense(3, activation='softmax')(BatchNormalization()(Dense(8)(inp)))
model = Model(inp, out)
model.compile(optimizer='adam', loss='categorical_crossentropy')
model.fit(np.random.rand(32, 8), to_categorical(np.random.randint(0, 3, 32), 3), epochs=1,
          verbose=0)
print('ladder resolved:', BatchNormalization.__module__)
