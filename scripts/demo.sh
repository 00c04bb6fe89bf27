#!/usr/bin/env bash
# The main job on the bundled maps and vignettes: validate every file, show each map with the
# evidence behind its arrows, draw the maps, and analyse the working-alliance hypothesis
# (alliance -> fidelity -> screening) from the map alone. Sets itself up first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mechmap=.venv/bin/mechmap
out=out
mkdir -p "$out"
"$mechmap" validate maps/*.yaml vignettes/*.yaml
for map in maps/*.yaml; do
  echo
  "$mechmap" show "$map"
  "$mechmap" evidence "$map"
  "$mechmap" render "$map" -o "$out/$(basename "$map" .yaml).svg"
  "$mechmap" view "$map" -o "$out/$(basename "$map" .yaml).html"
done
alliance=maps/yakovchenko-2025-working-alliance.yaml
echo
"$mechmap" paths "$alliance" --from wai --to screening@impl
"$mechmap" adjust "$alliance" -x wai -y fidelity
"$mechmap" identify "$alliance" -x fidelity -y screening@impl
"$mechmap" implications "$alliance"
echo
echo "diagrams and viewers are in $out/"
