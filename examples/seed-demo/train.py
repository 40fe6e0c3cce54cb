"""Logistic regression by gradient descent, standard library only.

The seed fixes the data, the initial weights and the order of the examples. What it does not fix is
which features are used: they are taken from a set of names, whose iteration order follows the
string hashes that Python randomises per process unless PYTHONHASHSEED is set. That is the
deliberately uncontrolled source of variance an audit should find.
"""
import argparse
import json
import math
import random

parser = argparse.ArgumentParser()
parser.add_argument("--seed", type=int, default=7)
parser.add_argument("--epochs", type=int, default=40)
parser.add_argument("--learning-rate", type=float, default=0.05)
args = parser.parse_args()

rng = random.Random(args.seed)
N_FEATURES = 12
true_w = [rng.gauss(0, 1) for _ in range(N_FEATURES)]
rows = []
for _ in range(400):
    x = [rng.gauss(0, 1) for _ in range(N_FEATURES)]
    p = 1 / (1 + math.exp(-sum(a * b for a, b in zip(x, true_w))))
    rows.append((x, 1 if rng.random() < p else 0))
train, test = rows[:300], rows[300:]

# The uncontrolled part: a set's order depends on PYTHONHASHSEED.
names = {"feature_%02d" % i for i in range(N_FEATURES)}
used = sorted(int(n[-2:]) for n in list(names)[:6])

w = [rng.gauss(0, 0.01) for _ in used]
b = 0.0
for epoch in range(args.epochs):
    rng.shuffle(train)
    for x, y in train:
        z = b + sum(wi * x[j] for wi, j in zip(w, used))
        g = 1 / (1 + math.exp(-z)) - y
        w = [wi - args.learning_rate * g * x[j] for wi, j in zip(w, used)]
        b -= args.learning_rate * g


def loss_and_accuracy(data):
    loss, correct = 0.0, 0
    for x, y in data:
        p = 1 / (1 + math.exp(-(b + sum(wi * x[j] for wi, j in zip(w, used)))))
        p = min(max(p, 1e-12), 1 - 1e-12)
        loss -= y * math.log(p) + (1 - y) * math.log(1 - p)
        correct += (p >= 0.5) == (y == 1)
    return loss / len(data), correct / len(data)


test_loss, test_accuracy = loss_and_accuracy(test)
json.dump({"test_loss": test_loss, "test_accuracy": test_accuracy}, open("metrics.json", "w"), indent=2)
print("features", used, "test_loss %.4f accuracy %.3f" % (test_loss, test_accuracy))
