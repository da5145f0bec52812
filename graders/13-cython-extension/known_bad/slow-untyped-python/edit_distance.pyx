"""Known-bad: the pure-Python code renamed to .pyx, with no C types (compiles, correct, only ≈ 2× faster)."""


def levenshtein(a, b):
    if not isinstance(a, str) or not isinstance(b, str):
        raise TypeError("levenshtein() needs two str arguments")
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def closest(query, choices):
    best = None
    for index, choice in enumerate(choices):
        d = levenshtein(query, choice)
        if best is None or d < best[1]:
            best = (index, d)
    if best is None:
        raise ValueError("closest() needs at least one choice")
    return best
