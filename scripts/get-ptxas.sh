#!/usr/bin/env bash
# Puts NVIDIA's ptxas, cuobjdump and nvdisasm of CUDA 12.4 into DIR/bin and
# prints the path of ptxas on stdout (progress and errors go to stderr).
#
#   ptxas=$(scripts/get-ptxas.sh [DIR])     # DIR defaults to ~/.cache/tilec/cuda-12.4
#
# The tools come from Debian trixie's non-free package nvidia-cuda-toolkit
# (CUDA 12.4: the first toolkit in Debian that knows sm_90a, i.e. wgmma and
# setmaxnreg; bookworm's 11.8 does not). apt-get downloads the package into a
# private apt state (its own sources.list, package lists and cache in a
# temporary directory) and dpkg -x unpacks it there: the system's apt setup
# is not changed and nothing is installed. Neither step needs root; as root,
# apt's download sandbox is told to stay root (the temporary directory is
# private to the caller). The release file is checked against the Debian
# archive keyring: /usr/share/keyrings/debian-archive-keyring.gpg on Debian
# (or the file DEBIAN_KEYRING names);
# elsewhere (Ubuntu) the debian-archive-keyring package is downloaded with the
# system's apt (updating its lists as root, or through sudo, when needed) and
# unpacked beside the tools.
#
# Idempotent: when DIR/bin holds the three tools and ptxas assembles for
# sm_90a, nothing is downloaded. Fails loudly (a message on stderr, exit
# status 1) when anything is missing or wrong.
set -euo pipefail

dir=${1:-${HOME:?HOME is not set}/.cache/tilec/cuda-12.4}
tools=(ptxas cuobjdump nvdisasm)

die() { echo "get-ptxas.sh: $*" >&2; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# check_ptxas PTXAS: the assembler runs and accepts sm_90a code.
check_ptxas() {
  local ptxas=$1 t
  "$ptxas" --version >/dev/null 2>&1 || return 1
  t=$(mktemp -d) || return 1
  printf '.version 8.0\n.target sm_90a\n.address_size 64\n.visible .entry k()\n{\n\tsetmaxnreg.inc.sync.aligned.u32 240;\n\tret;\n}\n' >"$t/k.ptx"
  if ! "$ptxas" -arch=sm_90a "$t/k.ptx" -o "$t/k.cubin" >"$t/log" 2>&1; then
    cat "$t/log" >&2
    rm -rf "$t"
    return 1
  fi
  rm -rf "$t"
}

have_all() {
  for t in "${tools[@]}"; do [ -x "$dir/bin/$t" ] || return 1; done
  check_ptxas "$dir/bin/ptxas"
}

if have_all; then
  echo "$dir/bin/ptxas"
  exit 0
fi

for cmd in apt-get apt-cache dpkg gpgv; do
  command -v "$cmd" >/dev/null 2>&1 || die "$cmd not found: this script needs a Debian or Ubuntu system (apt, dpkg, gpgv)"
done
case $(dpkg --print-architecture) in
  amd64 | arm64) ;;
  *) die "Debian ships nvidia-cuda-toolkit for amd64 and arm64, not $(dpkg --print-architecture)" ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial"

# The Debian archive keyring: the system's, or the package's file.
keyring=${DEBIAN_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}
if [ ! -s "$keyring" ]; then
  echo "get-ptxas.sh: $keyring is missing; downloading debian-archive-keyring with the system's apt" >&2
  if ! (cd "$work" && apt-get -qq download debian-archive-keyring) >&2; then
    as_root apt-get update -qq >&2 || die "apt-get update failed"
    (cd "$work" && apt-get -qq download debian-archive-keyring) >&2 ||
      die "cannot download debian-archive-keyring (install it, version 2023.3 or newer, which has the keys that sign trixie)"
  fi
  dpkg -x "$work"/debian-archive-keyring_*.deb "$work/keyring" || die "cannot unpack debian-archive-keyring"
  keyring=$work/keyring/usr/share/keyrings/debian-archive-keyring.gpg
  [ -s "$keyring" ] || die "the debian-archive-keyring package has no usr/share/keyrings/debian-archive-keyring.gpg"
fi

echo "deb [signed-by=$keyring] http://deb.debian.org/debian trixie non-free" >"$work/sources.list"
o=(-o Dir::Etc::sourcelist="$work/sources.list" -o Dir::Etc::sourceparts=-
  -o Dir::State::Lists="$work/lists" -o Dir::Cache="$work/cache")
if [ "$(id -u)" = 0 ]; then
  # apt drops to the _apt user to download, which cannot write to $work.
  o+=(-o APT::Sandbox::User=root)
fi

echo "get-ptxas.sh: downloading nvidia-cuda-toolkit from Debian trixie (non-free, about 90 MB)" >&2
apt-get "${o[@]}" -qq update >&2 || die "apt-get update of the private trixie non-free source failed (network? keyring?)"
version=$(apt-cache "${o[@]}" show nvidia-cuda-toolkit 2>/dev/null | sed -n 's/^Version: //p' | head -1)
[ -n "$version" ] || die "trixie non-free has no nvidia-cuda-toolkit package"
case $version in
  12.4.*) ;;
  *) echo "get-ptxas.sh: warning: trixie's nvidia-cuda-toolkit is $version, not CUDA 12.4" >&2 ;;
esac
(cd "$work" && apt-get "${o[@]}" -qq download nvidia-cuda-toolkit) >&2 || die "apt-get download nvidia-cuda-toolkit $version failed"
dpkg -x "$work"/nvidia-cuda-toolkit_*.deb "$work/x" || die "cannot unpack nvidia-cuda-toolkit $version"

mkdir -p "$dir/bin"
# ptxas goes last: its presence is what the check above looks for first.
for t in cuobjdump nvdisasm ptxas; do
  src=$work/x/usr/bin/$t
  [ -x "$src" ] || die "nvidia-cuda-toolkit $version has no /usr/bin/$t"
  cp "$src" "$dir/bin/.$t.tmp"
  mv -f "$dir/bin/.$t.tmp" "$dir/bin/$t"
done
check_ptxas "$dir/bin/ptxas" || die "$dir/bin/ptxas (from nvidia-cuda-toolkit $version) does not assemble for sm_90a"
echo "get-ptxas.sh: ptxas $("$dir/bin/ptxas" --version | sed -n 's/.*release //p') (nvidia-cuda-toolkit $version) in $dir/bin" >&2
echo "$dir/bin/ptxas"
