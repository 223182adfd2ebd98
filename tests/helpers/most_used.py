"""The most used Keras names and the public module each must be suggested from.

Shared by the canonical-lines test (every suggestion comes from this module) and the
benchmark of cold ``suggest`` per name (benchmarks/bench.py ``--most-used``).
"""

from __future__ import annotations

#: name -> its canonical module below the root ("" is the root itself: keras.Input).
CANONICAL = {
    "Dense": "layers",
    "Conv2D": "layers",
    "MaxPooling2D": "layers",
    "Dropout": "layers",
    "Flatten": "layers",
    "BatchNormalization": "layers",
    "LSTM": "layers",
    "Embedding": "layers",
    "Activation": "layers",
    "Input": "",
    "Sequential": "",
    "Model": "",
    "load_model": "models",
    "Adam": "optimizers",
    "SGD": "optimizers",
    "RMSprop": "optimizers",
    "EarlyStopping": "callbacks",
    "ModelCheckpoint": "callbacks",
    "CategoricalCrossentropy": "losses",
    "to_categorical": "utils",
    "pad_sequences": "utils",
    "plot_model": "utils",
}
