"""Small convnet, written the way 2017 Keras 2 tutorials did it.

Every layer comes from its own private submodule (layers.core, layers.convolutional,
layers.normalization), labels go through np_utils, and the backend is told about the
image layout up front.  The data are random: the point is the imports, not the accuracy.
"""
from __future__ import print_function

import numpy as np

from keras import backend as K
from keras.models import Sequential
from keras.layers.core import Dense, Dropout, Activation, Flatten
from keras.layers.convolutional import Conv2D, MaxPooling2D
from keras.layers.normalization import BatchNormalization
from keras.optimizers import Adam
from keras.utils import np_utils

np.random.seed(1337)  # for reproducibility

batch_size = 8
nb_classes = 3
epochs = 1

# input image dimensions
img_rows, img_cols = 8, 8
K.set_image_data_format('channels_last')
input_shape = (img_rows, img_cols, 1)

X_train = np.random.rand(32, img_rows, img_cols, 1).astype('float32')
y_train = np.random.randint(0, nb_classes, size=(32,))
print('X_train shape:', X_train.shape)
print(X_train.shape[0], 'train samples')

# convert class vectors to binary class matrices
Y_train = np_utils.to_categorical(y_train, nb_classes)

model = Sequential()
model.add(Conv2D(8, (3, 3), padding='same', input_shape=input_shape))
model.add(BatchNormalization())
model.add(Activation('relu'))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Dropout(0.25))

model.add(Flatten())
model.add(Dense(16))
model.add(Activation('relu'))
model.add(Dropout(0.5))
model.add(Dense(nb_classes))
model.add(Activation('softmax'))

model.compile(loss='categorical_crossentropy',
              optimizer=Adam(learning_rate=0.001),
              metrics=['accuracy'])

model.fit(X_train, Y_train, batch_size=batch_size, epochs=epochs, verbose=0)
score = model.evaluate(X_train, Y_train, verbose=0)
print('Test score:', score[0])
print('Test accuracy:', score[1])
print('image data format:', K.image_data_format())
