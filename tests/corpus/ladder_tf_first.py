# Library code that wants to work with tf.keras and with standalone Keras (2019-2021).
import numpy as np

try:
    import tensorflow as tf
    from tensorflow.keras.models import Sequential
    from tensorflow.keras.layers import Dense, BatchNormalization
    from tensorflow.keras.optimizers import Adam
    BACKEND_NAME = 'tf.keras'
except ImportError:
    from keras.models import Sequential
    from keras.layers import Dense, BatchNormalization
    from keras.optimizers import Adam
    BACKEND_NAME = 'keras'

try:
    from tensorflow.keras.utils import to_categorical
except (ImportError, ModuleNotFoundError):
    from keras.utils import to_categorical

model = Sequential([Dense(8, activation='relu', input_shape=(8,)), BatchNormalization(),
                    Dense(2, activation='softmax')])
model.compile(optimizer=Adam(learning_rate=0.01), loss='categorical_crossentropy')
model.fit(np.random.rand(32, 8), to_categorical(np.random.randint(0, 2, 32), 2), epochs=1,
          verbose=0)
print('trained with', BACKEND_NAME)
