#!/usr/bin/env bash
# Fails when a tracked file points outside the repository: to the `shared/` folder some machines
# keep next to their clone (a sibling `shared` folder, or `/work/shared`), or cites a document from it
# (`shared/reference/...`). A fresh clone on its own must build and pass `make test`; fixtures
# live in tests/fixtures (see its README), citations name the fixture or the upstream source.
set -euo pipefail
cd "$(dirname "$0")/.."

self=scripts/check-self-contained.sh
pattern='(\.\./|/work/)shared|(^|[^a-z/])shared/reference/'
hits=$(git ls-files -z -- ":!$self" | xargs -0 grep -n -I -E "$pattern" -- 2>/dev/null || true)
if [[ -n $hits ]]; then
  echo "$hits"
  echo
  echo "error: the files above refer to a folder outside the repository. Copy what they need" \
    "into the repository (examples: tests/fixtures, see its README) and cite that path or the" \
    "upstream source instead." >&2
  exit 1
fi
echo "self-contained: no tracked file refers to a shared/ folder outside the repository" \
  "($(git ls-files | wc -l) files checked)"
