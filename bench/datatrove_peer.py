"""datatrove as a peer in `make bench`: its stock cleaning steps that correspond to cleaner's.

    DATATROVE_PYTHON=/path/to/python bench/run.py      # a Python with datatrove installed
    python bench/datatrove_peer.py corpus.jsonl out/   # what bench/run.py runs and times

JsonlReader -> FTFYFormatter (encoding repair, like `fix_encoding`) -> C4QualityFilter with
its line-level filters (lines with javascript, policy, lorem ipsum or curly brackets, lines
without terminal punctuation or with too few words: datatrove's counterpart of boilerplate
line rules; its whole-document thresholds are off, as cleaner drops no documents) ->
JsonlWriter, one task, one worker, as datatrove runs locally. datatrove is not a
dependency of cleaner; install it in its own environment (see docs/engine.md).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path


def main() -> None:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.filters import C4QualityFilter
    from datatrove.pipeline.formatters import FTFYFormatter
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    corpus, out = Path(sys.argv[1]), Path(sys.argv[2])
    pipeline = [
        JsonlReader(str(corpus.parent), glob_pattern=corpus.name, compression=None),
        FTFYFormatter(),
        C4QualityFilter(min_num_sentences=-1, split_paragraph=True),
        JsonlWriter(str(out), compression=None),
    ]
    with tempfile.TemporaryDirectory() as logs:
        LocalPipelineExecutor(pipeline=pipeline, tasks=1, workers=1, logging_dir=logs).run()


if __name__ == "__main__":
    main()
