#!/usr/bin/env bash
# The tree's one-time format (issue 17), for whoever merges the lint and format set-up: Prettier over the whole tree
# in a commit that changes nothing else, then that commit's hash appended to .git-blame-ignore-revs in a second
# commit, so `git blame` (and GitHub's blame view) skip the reformat and show who last changed each line's code.
#
#   scripts/format-commit.sh        # on a clean tree, on the branch to format (main, after the merge)
#
# Refuses a tree with changes (the format commit must hold the format alone) or one that fails typecheck or lint,
# and checks the formatted tree (typecheck, lint, format check) before it commits anything: about 5 minutes on
# 2 cores. Afterwards, once per clone:
#   git config blame.ignoreRevsFile .git-blame-ignore-revs
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  echo "format-commit: tracked files have changes; commit or stash them first, so the format commit holds only the format" >&2
  exit 1
fi

# The tree must type-check and lint before the format, so a failure after it can only be the format's doing (and a
# failure here leaves the tree untouched: fix what it lists, commit that, run this again).
if ! { npm run --silent typecheck && npm run --silent lint; }; then
  echo "format-commit: fix the typecheck or lint errors above first (in their own commit), then run this again" >&2
  exit 1
fi

npm run --silent format -- --log-level warn
# A second pass where the first left work: Prettier is not always idempotent (a member chain it breaks one way on the
# first pass, it can join on the second).
npm run --silent format:check >/dev/null 2>&1 || npm run --silent format -- --log-level warn
if git diff --quiet; then
  echo "format-commit: the tree is already formatted; nothing to commit"
  exit 0
fi
# The format must change layout only: the formatted tree still type-checks, lints and is stable under Prettier.
if ! npm run --silent check; then
  echo "format-commit: the formatted tree fails the check above; nothing is committed (git checkout -- . undoes the format)" >&2
  exit 1
fi

git commit --quiet --all --message "Format the whole tree with Prettier (npm run format): layout only, no other change

The one-time format of issue 17 (prettier.config.mjs: printWidth 160, single quotes). Listed in
.git-blame-ignore-revs so that git blame skips it."
rev=$(git rev-parse HEAD)
printf '\n# %s Prettier: the one-time format of the whole tree (issue 17, scripts/format-commit.sh)\n%s\n' "$(date -u +%Y-%m-%d)" "$rev" >> .git-blame-ignore-revs
git add .git-blame-ignore-revs
git commit --quiet --message "git blame skips the tree-wide format commit ${rev:0:12}

.git-blame-ignore-revs lists it; git config blame.ignoreRevsFile .git-blame-ignore-revs makes a local git
blame honour the file (GitHub's blame view reads it on its own)."
git log --oneline -2
echo "format-commit: done. Once per clone: git config blame.ignoreRevsFile .git-blame-ignore-revs"
