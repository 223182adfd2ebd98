# Wrapping a Keras model for scikit-learn (2017-2019 Kaggle-kernel style).
# The wrapper is used directly (fit / predict / score) so scikit-learn itself is not needed.
import numpy as np
from keras.models import Sequential
from keras.layers import Dense
from keras.wrappers.scikit_learn import KerasClassifier, KerasRegressor


def create_model(optimizer='adam', units=8):
    model = Sequential()
    model.add(Dense(units, input_dim=8, activation='relu'))
    model.add(Dense(1, activation='sigmoid'))
    model.compile(loss='binary_crossentropy', optimizer=optimizer, metrics=['accuracy'])
    return model


def create_regressor():
    model = Sequential()
    model.add(Dense(4, input_dim=8, activation='relu'))
    model.add(Dense(1))
    model.compile(loss='mean_squared_error', optimizer='adam')
    return model


seed = 7
np.random.seed(seed)
X = np.random.rand(32, 8)
Y = np.random.randint(0, 2, size=(32,))

clf = KerasClassifier(build_fn=create_model, epochs=1, batch_size=8, verbose=0)
clf.fit(X, Y)
print('predictions:', clf.predict(X[:4]).ravel())

reg = KerasRegressor(build_fn=create_regressor, epochs=1, batch_size=8, verbose=0)
reg.fit(X, np.random.rand(32))
print('regressor score:', reg.score(X, np.random.rand(32)))
