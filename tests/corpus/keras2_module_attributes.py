# Module imports used through attributes: nothing is imported by name.
import numpy as np
import keras
import keras.layers.normalization as norm
import keras.layers.core as core
from keras import optimizers, losses
from keras.utils import np_utils

model = keras.models.Sequential()
model.add(core.Dense(8, input_shape=(8,)))
model.add(norm.BatchNormalization(momentum=0.9))
model.add(core.Activation('relu'))
model.add(core.Dropout(0.1))
model.add(keras.layers.Dense(3, activation='softmax'))
model.compile(optimizer=optimizers.SGD(learning_rate=0.01),
              loss=losses.categorical_crossentropy)
y = np_utils.to_categorical(np.random.randint(0, 3, size=(32,)), num_classes=3)
model.fit(np.random.rand(32, 8), y, epochs=1, verbose=0)
keras.backend.clear_session()
print('keras version:', keras.__version__)
