#!/usr/bin/env bash
# The main job on the bundled maps and vignettes: validate every file, show each map with the
# evidence behind its arrows, draw the maps, analyse the working-alliance hypothesis
# (alliance -> fidelity -> screening) from the map alone, then test three hypotheses against the
# bundled SYNTHETIC GTI-shaped data and write their reports, and draw the power curve of the
# dose -> alliance link by number of sites, and rate the Kilbourne map's arrows with a SYNTHETIC
# expert panel. Sets itself up first.
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
  "$mechmap" render "$map" -o "$out/$(basename "$map" .yaml).svg" --force
  "$mechmap" view "$map" -o "$out/$(basename "$map" .yaml).html" --force
done
alliance=maps/yakovchenko-2025-working-alliance.yaml
echo
"$mechmap" paths "$alliance" --from wai --to screening@impl
"$mechmap" adjust "$alliance" -x wai -y fidelity
"$mechmap" identify "$alliance" -x fidelity -y screening@impl
"$mechmap" implications "$alliance"
gti=data/gti-synthetic
for hypothesis in alliance-screening-sustained alliance-subscales-fidelity dose-alliance; do
  echo
  "$mechmap" test "$alliance" --measures "$gti/gti-synthetic-measures.yaml" \
    --data "$gti/gti-synthetic-sites.csv" --data "$gti/gti-synthetic-wai-s.csv" \
    --hypothesis "$hypothesis" --missing drop \
    --report "$out/gti-synthetic-$hypothesis.html" --force
done
# Planning: how many sites would a study need to see a dose effect of 0.3 on the alliance?
echo
"$mechmap" power "$alliance" --hypothesis dose-alliance --effect "facilitation_hours -> wai = 0.3" \
  --plot "$out/power-dose-alliance.png" --force
# An expert panel (modified Delphi, RAND/UCLA) on the Kilbourne map's arrows: a rating form for
# one panelist, then the consensus of a SYNTHETIC panel (9 invented raters, 2 rounds) with its
# report, the map annotated with each rated arrow's verdict, and that map drawn.
kilbourne=maps/kilbourne-2023-facilitation.yaml
echo
"$mechmap" rate "$kilbourne" -o "$out/kilbourne-rating-form.xlsx" --force
"$mechmap" consensus "$kilbourne" --ratings data/delphi-synthetic/delphi-synthetic-ratings.csv \
  --report "$out/kilbourne-delphi-synthetic.html" -o "$out/kilbourne-delphi-synthetic.yaml" --force
"$mechmap" render "$out/kilbourne-delphi-synthetic.yaml" -o "$out/kilbourne-delphi-synthetic.svg" --force
echo
echo "diagrams, viewers, the (synthetic-data) test and panel reports and the power curve are in $out/"
