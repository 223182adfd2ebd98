# Sentiment classifier on raw strings, 2018 blog-post style:
# Tokenizer -> texts_to_sequences -> pad_sequences -> Embedding + LSTM.
import numpy as np
from keras.preprocessing.text import Tokenizer
from keras.preprocessing.sequence import pad_sequences
from keras.models import Sequential
from keras.layers import Embedding, LSTM, Dense, SpatialDropout1D
from keras.optimizers import SGD
from keras.callbacks import EarlyStopping

MAX_NB_WORDS = 50
MAX_SEQUENCE_LENGTH = 12
EMBEDDING_DIM = 8

rng = np.random.RandomState(42)
vocab = ['good', 'bad', 'movie', 'plot', 'actor', 'great', 'boring', 'fun', 'long', 'short']
texts = [' '.join(rng.choice(vocab, size=rng.randint(3, 10))) for _ in range(32)]
labels = rng.randint(0, 2, size=(32,))

tokenizer = Tokenizer(num_words=MAX_NB_WORDS, lower=True)
tokenizer.fit_on_texts(texts)
word_index = tokenizer.word_index
print('Found %s unique tokens.' % len(word_index))

sequences = tokenizer.texts_to_sequences(texts)
X = pad_sequences(sequences, maxlen=MAX_SEQUENCE_LENGTH)
print('Shape of data tensor:', X.shape)

model = Sequential()
model.add(Embedding(MAX_NB_WORDS, EMBEDDING_DIM, input_length=MAX_SEQUENCE_LENGTH))
model.add(SpatialDropout1D(0.2))
model.add(LSTM(8, dropout=0.2, recurrent_dropout=0.2))
model.add(Dense(1, activation='sigmoid'))
model.compile(loss='binary_crossentropy',
              optimizer=SGD(learning_rate=0.01, momentum=0.9),
              metrics=['accuracy'])

es = EarlyStopping(monitor='loss', patience=1)
history = model.fit(X, labels, epochs=1, batch_size=8, callbacks=[es], verbose=0)
print('loss:', history.history['loss'][-1])
