"""Two-input functional model, saved and reloaded (Keras 2.2, 2018).

Aliased imports were common in research code: BatchNorm, K, KM.
"""
import os
import shutil
import tempfile

import numpy as np
import keras.backend as K
import keras.models as KM
from keras.models import Sequential, Model, load_model
from keras.layers import Input, Dense, concatenate
from keras.layers.normalization import BatchNormalization as BatchNorm
from keras.layers.advanced_activations import LeakyReLU
from keras.layers.merge import add as merge_add

K.clear_session()

a = Input(shape=(8,), name='a')
b = Input(shape=(8,), name='b')
xa = LeakyReLU(alpha=0.1)(BatchNorm()(Dense(8)(a)))
xb = LeakyReLU(alpha=0.1)(BatchNorm()(Dense(8)(b)))
merged = concatenate([merge_add([xa, xb]), xa])
out = Dense(1, activation='sigmoid')(merged)
model = Model(inputs=[a, b], outputs=out)
model.compile(optimizer='adam', loss='binary_crossentropy')
model.fit([np.random.rand(32, 8), np.random.rand(32, 8)], np.random.randint(0, 2, (32, 1)),
          epochs=1, batch_size=8, verbose=0)

head = Sequential([Dense(2, input_shape=(8,))])
print('head is a KM.Model:', isinstance(head, KM.Model))

tmp = tempfile.mkdtemp()
try:
    path = os.path.join(tmp, 'model.h5')
    model.save(path)
    again = load_model(path)
    print('reloaded layers:', len(again.layers))
finally:
    shutil.rmtree(tmp)
