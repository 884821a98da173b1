"""Small pinyin typos ("zhizhi", "shuhu", "leishun"), found without a loop over the catalogue.

The embedded index keeps, for every pinyin token, the token and its one-letter deletions
(the symmetric-delete scheme): a query word matches a token within one edit when their delete
sets meet, which is an indexed lookup. Candidates are then checked with the real distance.
Edit allowances follow Elasticsearch's "AUTO" fuzziness, so both backends forgive the same typos.
"""


def max_edits(word: str) -> int:
    """0 edits for 1–2 letters, 1 for 3–5, 2 for longer words (Elasticsearch's AUTO)."""
    if len(word) <= 2:
        return 0
    return 1 if len(word) <= 5 else 2


def deletions(word: str) -> set[str]:
    """The word with each single letter removed."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def edit_distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance: insertions, deletions, substitutions, transpositions."""
    if a == b:
        return 0
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def closest(word: str, candidates: set[str], *, limit: int = 5) -> list[str]:
    """The candidates nearest to the word, within its edit allowance (alphabetical).

    Only the nearest: "zhizhi" means zhizi (1 edit), not also shizi (2). Elasticsearch ranks
    farther matches lower instead; the top results agree.
    """
    allowed = max_edits(word)
    scored = sorted((edit_distance(word, c), c) for c in candidates)
    within = [(distance, c) for distance, c in scored if 0 < distance <= allowed]
    return [c for distance, c in within if distance == within[0][0]][:limit] if within else []
