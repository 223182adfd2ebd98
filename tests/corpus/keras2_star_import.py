# Everything from everywhere: the style of many 2017 notebooks exported to scripts.
import numpy as np
from keras.models import *
from keras.layers import *
from keras.optimizers import *

inp = Input(shape=(8,))
x = Dense(8, activation='relu')(inp)
x = BatchNormalization()(x)
x = Dropout(0.2)(x)
out = Dense(1, activation='sigmoid')(x)
model = Model(inp, out)
model.compile(optimizer=Adam(learning_rate=0.01), loss='binary_crossentropy')
model.fit(np.random.rand(32, 8), np.random.randint(0, 2, (32, 1)), epochs=1, verbose=0)
print('params:', model.count_params())
