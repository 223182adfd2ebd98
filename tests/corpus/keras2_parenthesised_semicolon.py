# Long import lists the way code formatters and hurried people left them.
import numpy as np; from keras.models import Sequential; from keras.optimizers import RMSprop
from keras.layers import (Dense,  # fully connected
                          Dropout,
                          # normalisation sits in its own module in Keras 2.0-2.3
                          Activation)
from keras.layers.normalization import (
    BatchNormalization,  # noqa: F401 -- used below, kept on its own line
)
from keras.layers.core import \
    Flatten, Reshape
from keras.callbacks import (ModelCheckpoint, EarlyStopping,
    ReduceLROnPlateau)  # continuation misaligned on purpose

model = Sequential(); model.add(Reshape((8,), input_shape=(2, 4))); model.add(Flatten())
model.add(Dense(16)); model.add(BatchNormalization()); model.add(Activation('relu'))
model.add(Dropout(0.1)); model.add(Dense(1, activation='sigmoid'))
model.compile(optimizer=RMSprop(learning_rate=0.001), loss='binary_crossentropy')
callbacks = [EarlyStopping(monitor='loss', patience=2), ReduceLROnPlateau(monitor='loss')]
print('checkpoint callback class:', ModelCheckpoint.__name__)
model.fit(np.random.rand(32, 2, 4), np.random.randint(0, 2, (32, 1)), epochs=1, verbose=0,
          callbacks=callbacks)
print('done')
