"""gensim Word2Vec on a walk corpus written as text (one walk a line, space-separated tokens),
timed the way bench.ts times the WebAssembly kernel: the train() call, one epoch, in wall-clock
and in CPU seconds of the process (all threads; the machine is shared), with the
settings that make its pairs identical to ours (sg=1, negative sampling, no frequent-word
downsampling, min_count=1, no window shrinking). Prints one JSON object with the train wall and CPU
seconds of each gensim input mode; pairs per second are computed by the caller from the corpus.

Usage: /usr/bin/python3 bench-gensim.py CORPUS DIM WINDOW NEGATIVES WORKERS
"""
import json
import sys
import time

from gensim.models import Word2Vec
from gensim.models.word2vec import LineSentence


def train_seconds(corpus, dim, window, negatives, workers, mode):
    model = Word2Vec(vector_size=dim, window=window, negative=negatives, hs=0, sg=1, workers=workers,
                     min_count=1, sample=0, shrink_windows=False, epochs=1, seed=1)
    if mode == "corpus_file":
        model.build_vocab(corpus_file=corpus)
        start, cpu = time.perf_counter(), time.process_time()
        model.train(corpus_file=corpus, total_words=model.corpus_total_words, epochs=1)
    else:
        sentences = LineSentence(corpus)
        model.build_vocab(sentences)
        start, cpu = time.perf_counter(), time.process_time()
        model.train(sentences, total_examples=model.corpus_count, epochs=1)
    return time.perf_counter() - start, time.process_time() - cpu


def main():
    corpus, dim, window, negatives, workers = sys.argv[1], *map(int, sys.argv[2:6])
    import gensim
    from gensim.models.word2vec_inner import FAST_VERSION
    result = {"gensim_version": gensim.__version__, "fast_version": FAST_VERSION}
    for mode in ("corpus_file", "sentences"):
        wall, cpu = train_seconds(corpus, dim, window, negatives, workers, mode)
        result[f"{mode}_seconds"] = wall
        result[f"{mode}_cpu_seconds"] = cpu
    print(json.dumps(result))


if __name__ == "__main__":
    main()
