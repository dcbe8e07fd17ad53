"""Count words from several threads, ready for free-threaded Python.

The grader calls `count_words(chunks, counts, workers)`: `chunks` is a list of lists of
words. Split the chunks among `workers` threads, and when count_words returns, `counts` (a
dict the grader gives you) must hold how many times each word occurs in all the chunks. The
grader checks that the chunks are read by `workers` threads, and it shakes the threads
(as a free-threaded build would) to show any lost update.
Keep the name `count_words`.
"""

import threading


def count_words(chunks, counts, workers):
    """Add the number of times each word occurs in chunks into counts, using threads."""

    def work(my_chunks):
        for chunk in my_chunks:
            for word in chunk:
                counts[word] = counts.get(word, 0) + 1

    threads = [threading.Thread(target=work, args=(chunks[i::workers],))
               for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


if __name__ == "__main__":
    text = ("the quick brown fox jumps over the lazy dog " * 5000).split()
    chunks = [text[i:i + 100] for i in range(0, len(text), 100)]
    counts = {}
    count_words(chunks, counts, 4)
    print(counts["the"], "(expected 10000)")
