# Python 2 script from 2017: print statements and xrange. Python 3 cannot parse it.
import numpy as np
from keras.models import Sequential
from keras.layers.core import Dense
from keras.utils import np_utils

print "Building model..."
model = Sequential()
model.add(Dense(3, input_dim=8, activation='softmax'))
model.compile(loss='categorical_crossentropy', optimizer='sgd')
for i in xrange(1):
    model.fit(np.random.rand(32, 8), np_utils.to_categorical(np.random.randint(0, 3, 32), 3),
              nb_epoch=1, verbose=0)
print "done, %d layers" % len(model.layers)
