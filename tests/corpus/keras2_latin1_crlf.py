# -*- coding: latin-1 -*-
# Réseau de neurones pour la classification des données (cours 2018, TP n° 3).
# Fichier enregistré en Latin-1 avec des fins de ligne Windows (CRLF).
import numpy as np
from keras.models import Sequential
from keras.layers.core import Dense, Dropout
from keras.layers.normalization import BatchNormalization
from keras.optimizers import Adam
from keras.utils import np_utils

nb_classes = 3
X = np.random.rand(32, 8)
Y = np_utils.to_categorical(np.random.randint(0, nb_classes, 32), nb_classes)

modèle_nom = "réseau_dense"  # identifiant non ASCII (Python 3)
model = Sequential(name="reseau")
model.add(Dense(16, activation="relu", input_shape=(8,)))
model.add(BatchNormalization())
model.add(Dropout(0.2))
model.add(Dense(nb_classes, activation="softmax"))
model.compile(optimizer=Adam(learning_rate=0.01), loss="categorical_crossentropy",
              metrics=["accuracy"])
model.fit(X, Y, epochs=1, batch_size=8, verbose=0)
print("Entraînement terminé :", modèle_nom, "-", len(model.layers), "couches")
