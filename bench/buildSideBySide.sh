# Sourced by the side-by-side benchmarks, from the project root, with
# $base_commit set and $base an empty directory: names the work tree's commit
# ($work_commit, before building, so it says what the build holds), unpacks
# $base_commit into $base sharing this tree's node_modules, and builds both.
work_commit="$(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo ' + uncommitted changes')"
git archive "$base_commit" | tar -x -C "$base"
ln -s "$(pwd)/node_modules" "$base/node_modules"
(cd "$base" && npm run build >/dev/null)
npm run build >/dev/null
