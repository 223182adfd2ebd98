"""TensorFlow 2.x quickstart style: one `import tensorflow as tf`, everything through tf.keras."""
import numpy as np
import tensorflow as tf

tf.random.set_seed(0)
tf.keras.backend.clear_session()

x_train = np.random.rand(32, 8).astype('float32')
y_train = np.random.randint(0, 3, size=(32,))
y_onehot = tf.keras.utils.to_categorical(y_train, num_classes=3)

model = tf.keras.models.Sequential([
    tf.keras.layers.Dense(16, activation='relu', input_shape=(8,)),
    tf.keras.layers.BatchNormalization(),
    tf.keras.layers.Dropout(0.2),
    tf.keras.layers.Dense(3, activation='softmax'),
])
model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=0.001),
              loss=tf.keras.losses.CategoricalCrossentropy(),
              metrics=[tf.keras.metrics.CategoricalAccuracy()])
early = tf.keras.callbacks.EarlyStopping(monitor='loss', patience=1)
model.fit(x_train, y_onehot, epochs=1, batch_size=8, verbose=0, callbacks=[early])

probability_model = tf.keras.Sequential([model, tf.keras.layers.Softmax()])
print('probabilities:', probability_model(x_train[:2]).numpy().shape)
print('regulariser:', tf.keras.regularizers.l2(0.01).__class__.__name__)
