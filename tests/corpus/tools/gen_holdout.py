#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Render the held-out redaction corpus: tools/holdout-templates/NAME -> holdout/NAME.

The held-out set is written without looking at the engine's rules and scored before any
rule is changed for it (docs/redact-corpus.md, "Held-out set"), so it measures how the
redactor generalizes.  Same placeholders, labels and seeding as gen.py.

    python3 tests/corpus/tools/gen_holdout.py          # rewrite tests/corpus/holdout/*
    python3 tests/corpus/tools/gen_holdout.py --check  # exit 1 if the output is stale
"""

import os
import sys

import gen

HERE = os.path.dirname(os.path.abspath(__file__))
gen.TEMPLATES = os.path.join(HERE, "holdout-templates")
gen.OUT = os.path.join(os.path.dirname(HERE), "holdout")

if __name__ == "__main__":
    sys.exit(gen.main())
