# TF 2.3-2.5 tutorial style: preprocessing layers still under layers.experimental.
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers
from tensorflow.keras.layers.experimental import preprocessing
from tensorflow.keras.optimizers import Adam
from tensorflow.keras.models import Model

features = np.random.rand(32, 8).astype('float32') * 10.0
target = np.random.rand(32, 1).astype('float32')

normalizer = preprocessing.Normalization(axis=-1)
normalizer.adapt(features)

inputs = keras.Input(shape=(8,))
x = normalizer(inputs)
x = layers.Dense(16, activation='relu')(x)
x = layers.BatchNormalization()(x)
outputs = layers.Dense(1)(x)
model = Model(inputs, outputs)
model.compile(optimizer=Adam(learning_rate=0.01), loss='mean_absolute_error')
model.fit(features, target, epochs=1, batch_size=8, verbose=0)
print('mean after normalisation:', float(tf.reduce_mean(normalizer(features))))
