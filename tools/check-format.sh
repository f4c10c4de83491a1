#!/usr/bin/env bash
# Every C++ file of the repository is formatted as .clang-format says (clang-format 14, Debian 12's).
#   tools/check-format.sh         lists the files that differ and exits 1 (ctest: style.clang_format)
#   tools/check-format.sh --fix   formats them in place
set -euo pipefail
cd "$(dirname "$0")/.."
fix=0
case "${1:-}" in
  --fix) fix=1 ;;
  "") ;;
  *) echo "check-format.sh: unknown option '$1' (--fix or nothing)" >&2; exit 2 ;;
esac
command -v clang-format >/dev/null || { echo "check-format.sh: no clang-format; apt-get install clang-format" >&2; exit 2; }
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files --cached --others --exclude-standard '*.cpp' '*.h' | grep -v '^tests/fixtures/')
else
  mapfile -t files < <(find . -path ./build -prune -o -path './build-*' -prune -o \( -name '*.cpp' -o -name '*.h' \) -print |
                       grep -v '/tests/fixtures/')
fi
if [ "$fix" = 1 ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
bad=()
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
  printf 'not formatted: %s\n' "${bad[@]}" >&2
  echo "check-format.sh: ${#bad[@]} of ${#files[@]} files differ from .clang-format; run tools/check-format.sh --fix" >&2
  exit 1
fi
echo "check-format.sh: ${#files[@]} files formatted"
