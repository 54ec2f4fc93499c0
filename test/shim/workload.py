# Python workload for `make shim-check`: dicts, lists, strings and threads.
# Prints only deterministic results so runs with and without the shim match.
import hashlib
import threading

def churn(seed, n):
    d = {}
    for i in range(n):
        k = "k%d-%d" % (seed, i % 5000)
        d[k] = [i] * (i % 17) + [str(i) * (i % 7)]
        if i % 3 == 0:
            d.pop("k%d-%d" % (seed, (i * 7) % 5000), None)
    return sum(len(v) for v in d.values()), len(d)

results = [None] * 4

def worker(idx):
    results[idx] = churn(idx, 60000)

threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("threads:", results)

big = [bytes(range(256)) * (i % 64 + 1) for i in range(3000)]
print("bytes:", hashlib.sha256(b"".join(big)).hexdigest())
words = sorted({("w%05d" % (i * 7919 % 100000)) for i in range(50000)})
print("words:", len(words), words[0], words[-1])
s = "".join(chr(65 + i % 26) for i in range(200000))
print("str:", s.count("ABC"), len(s.split("Z")))
