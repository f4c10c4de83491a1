#!/usr/bin/env bash
# Fetches the openly licensed photos the end-to-end demo trains and evaluates on (issue #9), from three Debian
# packages: python3-skimage (scikit-image's sample photos: astronaut, coffee, chelsea, rocket, ...),
# lomiri-wallpapers-16.04 (Ubuntu Touch wallpapers, CC-BY / CC-BY-SA / CC0 photos) and mate-backgrounds
# (its nature/ photos, GPL-2+).
#   tools/fetch-demo-photos.sh [DEST]      DEST defaults to data/demo-photos
# Why from Debian packages: the demo must run where only Debian's apt mirror can be reached, and every file then
# has a version, a path and a license statement (/usr/share/doc/<pkg>/copyright) that PROVENANCE.md quotes.
# Needs no root: `apt-get download` + `dpkg-deb -x` into a temporary folder next to DEST.
# Writes DEST/train/ and DEST/heldout/ (every 5th photo by sorted file name is held out), DEST/PROVENANCE.md
# (package, version, path in the package, license lines for every photo) and DEST/SHA256SUMS.
# Keeps only PNG/JPEG photos with a short side of at least 256 px; drawings, text, synthetic test patterns,
# abstract renders and near-duplicates are left out by name (the lists below say why).
# Atomic: DEST appears under its final name only when complete; a second run with DEST complete does nothing.
set -euo pipefail

me=fetch-demo-photos
min_side=256
holdout_every=5

usage() { sed -n '2,14p' "$0"; }
case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  -*) echo "$me: unknown option '$1' (usage: tools/fetch-demo-photos.sh [DEST])" >&2; exit 2 ;;
esac
[ $# -le 1 ] || { echo "$me: too many arguments (usage: tools/fetch-demo-photos.sh [DEST])" >&2; exit 2; }
dest=${1:-data/demo-photos}
dest=${dest%/}
die() { echo "$me: $*" >&2; exit 1; }

# Source packages: package, folder inside it that holds the photos, short prefix for the output names.
sources=(
  "python3-skimage|usr/lib/python3/dist-packages/skimage/data|skimage"
  "lomiri-wallpapers-16.04|usr/share/backgrounds|lomiri"
  "mate-backgrounds|usr/share/backgrounds/mate|mate"
)
# Left out although large enough: "glob on the path inside the package|why".
excluded=(
  "*/skimage/data/bw_text.png|text, not a photo"
  "*/skimage/data/text.png|text, not a photo"
  "*/skimage/data/page.png|scanned text page"
  "*/skimage/data/logo.png|drawing (scikit-image logo)"
  "*/skimage/data/horse.png|binary silhouette"
  "*/skimage/data/phantom.png|synthetic Shepp-Logan phantom"
  "*/skimage/data/color.png|synthetic colour wheel"
  "*/skimage/data/green_palette.png|synthetic palette test image"
  "*/skimage/data/chessboard_*|synthetic test pattern"
  "*/skimage/data/clock_motion.png|deliberately motion-blurred"
  "*/skimage/data/cell.png|nearly featureless microscopy field"
  "*/skimage/data/motorcycle_right.png|stereo twin of motorcycle_left.png (would leak across the split)"
  "*/backgrounds/analogpattern_by_*|abstract noise pattern"
  "*/backgrounds/umang_by_*|colour-gradient artwork"
  "*/mate/abstract/*|abstract renders and digital art"
  "*/mate/desktop/*|desktop graphics, not photos"
)

# Already there? Complete means: train/ and heldout/ hold images and, when SHA256SUMS exists (our own
# output), every file it lists is intact. A DEST with photos of the user's own (no SHA256SUMS) is accepted.
count_images() { find "$1" -maxdepth 1 -type f \( -iname '*.png' -o -iname '*.jpg' -o -iname '*.jpeg' \) | wc -l; }
if [ -e "$dest" ] && [ -n "$(ls -A "$dest" 2>/dev/null)" ]; then
  [ -d "$dest" ] || die "$dest exists and is not a folder: remove it or give another DEST"
  if [ -d "$dest/train" ] && [ -d "$dest/heldout" ] \
     && [ "$(count_images "$dest/train")" -gt 0 ] && [ "$(count_images "$dest/heldout")" -gt 0 ]; then
    if [ -f "$dest/SHA256SUMS" ] && ! (cd "$dest" && sha256sum --quiet --strict -c SHA256SUMS >/dev/null 2>&1); then
      die "$dest is damaged (a file listed in SHA256SUMS is missing or changed): remove $dest and run again"
    fi
    echo "$me: $dest already holds $(count_images "$dest/train") train and $(count_images "$dest/heldout") held-out photos; nothing to do"
    exit 0
  fi
  die "$dest exists but holds no complete train/ + heldout/ photo set: remove it or give another DEST"
fi

for tool in apt-get apt-cache dpkg-deb od sha256sum; do
  command -v "$tool" >/dev/null || die "$tool not found: run this on Debian 12 (or give DEST with photos you own)"
done

# Stage next to DEST so the final rename is atomic; the name matches .gitignore's *.tmp.* pattern.
parent=$(dirname "$dest")
mkdir -p "$parent" || die "cannot create $parent: give a writable DEST"
stage=$(mktemp -d "$parent/.$(basename "$dest").tmp.XXXXXX") || die "cannot create a temporary folder in $parent"
trap 'rm -rf "$stage"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$stage/debs" "$stage/root" "$stage/out/train" "$stage/out/heldout"
start=$SECONDS

apt_opts=()
# As root, apt drops to the _apt user for downloads, which cannot enter the private stage folder.
[ "$(id -u)" -ne 0 ] || apt_opts=(-o APT::Sandbox::User=root)

# Width and height of a PNG or JPEG (read from its header), or nothing when it is neither.
od_bytes() { od -An -v -tu1 -j "$2" -N "$3" "$1" | tr -s ' \n' '  '; }
image_size() {
  local f=$1 b p m len
  read -r -a b <<<"$(od_bytes "$f" 0 24)"
  if [ "${#b[@]}" -ge 24 ] && [ "${b[*]:0:8}" = "137 80 78 71 13 10 26 10" ]; then
    echo "$(( (b[16]<<24) | (b[17]<<16) | (b[18]<<8) | b[19] )) $(( (b[20]<<24) | (b[21]<<16) | (b[22]<<8) | b[23] ))"
    return
  fi
  if [ "${#b[@]}" -lt 2 ] || [ "${b[0]}" != 255 ] || [ "${b[1]}" != 216 ]; then return 0; fi
  p=2
  while :; do  # walk the JPEG segments up to the first start-of-frame marker
    read -r -a b <<<"$(od_bytes "$f" "$p" 9)"
    [ "${#b[@]}" -ge 4 ] && [ "${b[0]}" = 255 ] || return 0
    m=${b[1]}
    if [ "$m" = 255 ]; then p=$((p + 1)); continue; fi
    if [ "$m" = 1 ] || { [ "$m" -ge 208 ] && [ "$m" -le 216 ]; }; then p=$((p + 2)); continue; fi
    len=$(( (b[2]<<8) | b[3] ))
    if [ "$m" -ge 192 ] && [ "$m" -le 207 ] && [ "$m" != 196 ] && [ "$m" != 200 ] && [ "$m" != 204 ]; then
      [ "${#b[@]}" -ge 9 ] || return 0
      echo "$(( (b[7]<<8) | b[8] )) $(( (b[5]<<8) | b[6] ))"
      return
    fi
    [ "$len" -ge 2 ] || return 0
    p=$((p + 2 + len))
  done
}

# The paragraph of a machine-readable debian/copyright whose Files: globs match the file (by file name: the
# package installs under other folders than the upstream tree the globs name); the last match wins (DEP-5).
license_lines() {
  awk -v name="$(basename "$2")" '
    function matches(g,   re, dir) {
      if (g == "*") return 1
      dir = g; sub(/[^\/]*$/, "", dir); sub(/^.*\//, "", g)
      if (g == "*" && dir != "") return 0          # "debian/*" and the like
      re = g; gsub(/[.+^$(){}|\[\]\\]/, "\\\\&", re); gsub(/\*/, ".*", re); gsub(/\?/, ".", re)
      return name ~ ("^" re "$")
    }
    function flush() { if (hit) best = para; para = ""; hit = 0; infiles = 0 }
    /^[ \t]*$/ { flush(); next }
    { para = para $0 "\n" }
    /^Files:/ { infiles = 1; n = split(substr($0, 7), g, /[ \t]+/); for (i = 1; i <= n; i++) if (g[i] != "" && matches(g[i])) hit = 1; next }
    /^[ \t]/ && infiles { n = split($0, g, /[ \t]+/); for (i = 1; i <= n; i++) if (g[i] != "" && matches(g[i])) hit = 1; next }
    { infiles = 0 }
    END { flush(); printf "%s", best }
  ' "$1"
}

# scikit-image states each sample's license in the docstring of the function that loads it: the paragraphs of
# that docstring that speak of copyright or licensing, on one line.
skimage_note() {
  local fetchers=$1 name=$2
  [ -f "$fetchers" ] || return 0
  awk -v key="\"data/$name\"" '
    /^def / { doc = "" }
    { doc = doc $0 "\n" }
    index($0, key) { print doc; exit }
  ' "$fetchers" | awk '  # section headings, doctest and directive lines become paragraph breaks
    { line[NR] = $0 }
    END {
      for (i = 1; i <= NR; i++) {
        if (line[i + 1] ~ /^[ \t]*-+[ \t]*$/ || line[i] ~ /^[ \t]*(-+|>>>.*|\.\.\..*|\.\. .*)[ \t]*$/) print ""
        else print line[i]
      }
    }' | awk 'BEGIN { RS = "" } tolower($0) ~ /copyright|cc0|public domain|licen|freely used/ {
      gsub(/[ \t\n]+/, " "); sub(/^ /, ""); sub(/ $/, ""); printf "%s%s", sep, $0; sep = " " }'
}

is_excluded() {  # prints the reason when the path inside the package is on the exclusion list
  local path=$1 entry
  for entry in "${excluded[@]}"; do
    # shellcheck disable=SC2053  # the left side of the entry is a glob on purpose
    if [[ $path == ${entry%%|*} ]]; then echo "${entry#*|}"; return; fi
  done
}

list=$stage/photos.tsv   # output name, package, version, path in package, width, height
: >"$list"
skipped=0
for src in "${sources[@]}"; do
  IFS='|' read -r pkg dir prefix <<<"$src"
  echo "$me: apt-get download $pkg"
  if ! log=$(cd "$stage/debs" && apt-get download "${apt_opts[@]}" "$pkg" 2>&1); then
    why=$(printf '%s\n' "$log" | grep -E '^(E|W):' | tail -n1 | cut -c1-160)
    die "apt-get download $pkg failed${why:+ ($why)}: run apt-get update, or give DEST with photos you own"
  fi
  deb=$(find "$stage/debs" -maxdepth 1 -name "${pkg}_*.deb" | head -n1)
  [ -n "$deb" ] || die "apt-get download $pkg left no .deb: run apt-get update, or give DEST with photos you own"
  version=$(dpkg-deb -f "$deb" Version) || die "dpkg-deb -f $deb failed: the download is damaged; run again"
  dpkg-deb -x "$deb" "$stage/root/$pkg" || die "dpkg-deb -x $deb failed: check free space in $parent and run again"
  rm -f "$deb"
  copyright=$stage/root/$pkg/usr/share/doc/$pkg/copyright
  [ -f "$copyright" ] || die "$pkg $version ships no /usr/share/doc/$pkg/copyright: give DEST with photos you own"
  cp "$copyright" "$stage/$pkg.copyright"
  [ -d "$stage/root/$pkg/$dir" ] || die "$pkg $version has no /$dir: the package changed; update $0"
  n=0
  while IFS= read -r f; do
    rel=${f#"$stage/root/$pkg/"}
    why=$(is_excluded "/$rel")
    if [ -n "$why" ]; then skipped=$((skipped + 1)); continue; fi
    size=$(image_size "$f")
    if [ -z "$size" ]; then skipped=$((skipped + 1)); continue; fi
    read -r w h <<<"$size"
    if [ "$w" -lt "$min_side" ] || [ "$h" -lt "$min_side" ]; then skipped=$((skipped + 1)); continue; fi
    printf '%s\t%s\t%s\t/%s\t%s\t%s\n' "$prefix-$(basename "$f")" "$pkg" "$version" "$rel" "$w" "$h" >>"$list"
    n=$((n + 1))
  done < <(find "$stage/root/$pkg/$dir" -type f \( -iname '*.png' -o -iname '*.jpg' -o -iname '*.jpeg' \) | LC_ALL=C sort)
  [ "$n" -gt 0 ] || die "$pkg $version yielded no photos: the package changed; update $0"
  echo "$me:   $pkg $version: $n photos"
done

dups=$(cut -f1 "$list" | LC_ALL=C sort | uniq -d | head -n1)
[ -z "$dups" ] || die "two photos would both be named $dups: update $0"

# Split, copy, describe.
prov=$stage/out/PROVENANCE.md
{
  echo "# Demo photos: provenance"
  echo
  echo "Fetched by \`tools/fetch-demo-photos.sh\` from Debian $(cat /etc/debian_version 2>/dev/null || echo '?') packages with"
  echo "\`apt-get download\` + \`dpkg-deb -x\`. Photos only: PNG/JPEG, short side >= $min_side px; drawings, text,"
  echo "synthetic patterns, abstract renders and near-duplicates are left out by name (see the script)."
  echo "Split: sorted by file name, every ${holdout_every}th photo is held out (\`heldout/\`), the rest is \`train/\`."
  echo "The license lines are the matching paragraph of the package's \`/usr/share/doc/<package>/copyright\`;"
  echo "\"upstream note\" quotes scikit-image's own statement in \`skimage/data/_fetchers.py\`."
  echo "Anyone redistributing these files must honour those licenses (CC-BY* need attribution, GPL-2+ the source)."
  echo
  echo "| File | Size (px) | Package | Version | License |"
  echo "|---|---|---|---|---|"
} >"$prov"
details=$stage/details.md
: >"$details"
i=0
while IFS=$'\t' read -r name pkg version rel w h; do
  i=$((i + 1))
  if [ $((i % holdout_every)) -eq 0 ]; then split=heldout; else split=train; fi
  cp "$stage/root/$pkg$rel" "$stage/out/$split/$name"
  lic=$(license_lines "$stage/$pkg.copyright" "$rel")
  short=$(printf '%s\n' "$lic" | sed -n 's/^License: *//p' | head -n1)
  printf '| %s/%s | %sx%s | %s | %s | %s |\n' "$split" "$name" "$w" "$h" "$pkg" "$version" "${short:-see below}" >>"$prov"
  {
    echo "### $split/$name"
    echo
    echo "- Package: \`$pkg\` $version"
    echo "- Path in the package: \`$rel\`"
    echo "- Size: ${w}x${h} px, $(stat -c %s "$stage/out/$split/$name") bytes"
    echo "- License, from \`/usr/share/doc/$pkg/copyright\`:"
    echo
    echo '```'
    printf '%s\n' "${lic:-(no paragraph of the copyright file names this file)}"
    echo '```'
    if [ "$pkg" = python3-skimage ]; then
      note=$(skimage_note "$stage/root/$pkg/usr/lib/python3/dist-packages/skimage/data/_fetchers.py" "$(basename "$rel")")
      echo "- Upstream note (\`skimage/data/_fetchers.py\`): ${note:-none; the Debian copyright file is the only statement}"
    fi
    echo
  } >>"$details"
done < <(LC_ALL=C sort -t $'\t' -k1,1 "$list")
{ echo; echo "## Per file"; echo; cat "$details"; } >>"$prov"
(cd "$stage/out" && find train heldout -type f | LC_ALL=C sort | xargs -d '\n' sha256sum >SHA256SUMS)

ntrain=$(count_images "$stage/out/train")
nheld=$(count_images "$stage/out/heldout")
if [ "$ntrain" -eq 0 ] || [ "$nheld" -eq 0 ]; then die "too few photos for a train/held-out split: update $0"; fi
mb=$(du -sm "$stage/out" | cut -f1)

# Into place: an empty DEST folder (ours to replace) goes first; the rename itself is atomic.
if [ -d "$dest" ]; then rmdir "$dest" || die "$dest appeared meanwhile: remove it or give another DEST"; fi
mv -T "$stage/out" "$dest" || die "cannot move the photos to $dest: check permissions on $parent"
echo "$me: $dest: $ntrain train + $nheld held-out photos, $mb MB, $skipped files left out, $((SECONDS - start)) s"
