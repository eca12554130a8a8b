"""`cleaner dedup`: exact and near-duplicate documents, and repeated passages, across a corpus.

Two passes over the inputs: `scan` turns every document into fixed-size numbers (an exact
hash, MinHash band keys, its sorted shingle hashes, its passage hashes) stored as numpy
arrays per input; `decide` finds what to remove from those arrays alone; `write` reads the
inputs again and writes what is kept, in the layout of `cleaner run`.
"""
