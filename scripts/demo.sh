#!/usr/bin/env bash
# The main job on the bundled maps and vignettes: validate every map, then show and
# cross-check the evidence of each. Sets itself up first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mechmap=.venv/bin/mechmap
"$mechmap" validate maps/*.yaml vignettes/*.yaml
for map in maps/*.yaml; do
  echo
  "$mechmap" show "$map"
  "$mechmap" evidence "$map"
done
