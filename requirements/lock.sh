#!/usr/bin/env bash
# Rewrites the lock files from pyproject.toml: every package, direct and transitive, pinned
# with its hashes, for Python 3.11 on Linux x86-64 (the platform CI runs on).
#   base.txt  runtime (+ setuptools, the build backend, so `pip install -e .` needs no index)
#   test.txt  base + the `test` extra          (make test)
#   dev.txt   base + the `dev` extra            (make lint, pre-commit)
#   load.txt  base + the `load` extra           (make bench)
# Each file is constrained by the ones before it, so installing several into one venv
# (as .ci/run does) never asks for two versions of one package.
# Usage: requirements/lock.sh [--upgrade]   (needs pip-tools: the `dev` extra has it)
set -euo pipefail
cd "$(dirname "$0")/.."
COMPILE=${LOCK_COMPILE:-$(dirname "$(command -v python)")/pip-compile}
opts=(--quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-find-links
      --no-emit-index-url --newline LF "$@")
export CUSTOM_COMPILE_COMMAND="requirements/lock.sh"
"$COMPILE" "${opts[@]}" --build-deps-for editable -o requirements/base.txt pyproject.toml
"$COMPILE" "${opts[@]}" --extra test -c requirements/base.txt \
    -o requirements/test.txt pyproject.toml
"$COMPILE" "${opts[@]}" --extra dev -c requirements/test.txt \
    -o requirements/dev.txt pyproject.toml
"$COMPILE" "${opts[@]}" --extra load -c requirements/dev.txt \
    -o requirements/load.txt pyproject.toml
