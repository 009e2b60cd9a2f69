#!/usr/bin/env bash
# Run README.md's "What a session looks like" block (the bash block after `<!-- ci:session -->`)
# exactly as written, from the repository root, and stop at the first failing command.
#
#   scripts/run_readme_session.sh            # writes runs/usf1 and models/usf1 (git-ignored)
#
# Needs kerasbind on PATH and ../shared/data.
set -euo pipefail
cd "$(dirname "$0")/.."
block=$(awk '/<!-- ci:session -->/{found=1; next} found && /^```bash/{inside=1; next}
             inside && /^```/{exit} inside{print}' README.md)
if [ -z "$block" ]; then
  echo "$0: README.md has no bash block after <!-- ci:session -->" >&2
  exit 1
fi
printf '%s\n' "$block" | sed 's/^/+ /' >&2
bash -euxo pipefail -c "$block"
