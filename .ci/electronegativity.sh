#!/usr/bin/env bash
# Scan the Electron sources with electronegativity and fail on any HIGH finding.
# The tool exits 0 whatever it finds, so its CSV report is read instead.
set -euo pipefail
cd "$(dirname "$0")/.."
report=$(mktemp --suffix=.csv)
npx electronegativity -i src -o "$report" -r -v false -e "$(node -p "require('electron/package.json').version")" >/dev/null 2>&1 || true
if [ ! -s "$report" ]; then
  echo "electronegativity produced no report" >&2
  exit 1
fi
findings=$(($(wc -l < "$report") - 1))
high=$(grep -c ',"HIGH",' "$report" || true)
echo "electronegativity: $findings findings, $high HIGH"
cut -d, -f1-5 "$report" | tail -n +2 | sed 's/^/  /'
if [ "$high" -gt 0 ]; then
  echo "HIGH findings must be fixed" >&2
  exit 1
fi
