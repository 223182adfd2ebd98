#!/usr/bin/env python
# -*- coding: utf-8 -*-
"""Command-line training script (chmod +x train.py; ./train.py --epochs 1), Keras 2.2 style."""
import argparse
import os
import tempfile

import numpy as np
from keras.models import Sequential, load_model
from keras.layers import Dense, Dropout
from keras.layers.normalization import BatchNormalization
from keras.optimizers import Adam
from keras.callbacks import ModelCheckpoint, CSVLogger


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument('--epochs', type=int, default=1)
    p.add_argument('--batch-size', type=int, default=8)
    p.add_argument('--lr', type=float, default=1e-3)
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    model = Sequential()
    model.add(Dense(16, activation='relu', input_shape=(8,)))
    model.add(BatchNormalization())
    model.add(Dropout(0.3))
    model.add(Dense(1, activation='sigmoid'))
    model.compile(optimizer=Adam(learning_rate=args.lr), loss='binary_crossentropy',
                  metrics=['accuracy'])
    workdir = tempfile.mkdtemp(prefix='train-cli-')
    ckpt = os.path.join(workdir, 'best.h5')
    callbacks = [ModelCheckpoint(ckpt, monitor='loss', save_best_only=True),
                 CSVLogger(os.path.join(workdir, 'log.csv'))]
    model.fit(np.random.rand(32, 8), np.random.randint(0, 2, (32, 1)),
              epochs=args.epochs, batch_size=args.batch_size, verbose=0, callbacks=callbacks)
    best = load_model(ckpt)
    print('best model has %d layers' % len(best.layers))
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
