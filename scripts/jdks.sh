#!/usr/bin/env bash
# Puts the JDKs the integration tests run on in a cache folder, without changing the system, and prints their
# homes, one "N=/path/to/home" a line (and, with --properties, as "-Dit.javaN.home=/path" Maven options).
#   Java 17: the machine's OpenJDK (/usr/lib/jvm/java-17-openjdk-amd64); Java 25: Temurin's (/usr/lib/jvm/temurin-25-jdk-amd64).
#   Java 11: Debian bullseye's OpenJDK, unpacked as it is.
#   Java 8 and 21: Debian sid's OpenJDK, built for a newer glibc than this machine has: sid's libc6 is unpacked beside
#     them and their executables and libraries are pointed at it (patchelf: interpreter, and the libc folder first in
#     their search path).
# The .deb files come with `apt-get download` from a private sources list, package lists and cache, and `dpkg -x`
# unpacks them: the machine's apt configuration and its installed packages stay as they are.
# Usage: scripts/jdks.sh [--properties] [VERSION...]   (default: 8 11 17 21 25)
# Cache: $IMDSV2_JDK_CACHE, else ~/.cache/imdsv2-agent/jdks, and for root /var/cache/imdsv2-agent/jdks (root's home is
# closed to other users, and the tests run a JDK as another user too). Run again with everything in place: a second.
# A JDK that cannot be had is an error (exit 1), never a silent skip.
set -euo pipefail

PROPERTIES=false
if [[ "${1:-}" == --properties ]]; then PROPERTIES=true; shift; fi
VERSIONS=("$@")
[[ ${#VERSIONS[@]} -gt 0 ]] || VERSIONS=(8 11 17 21 25)
DEFAULT_CACHE="$HOME/.cache/imdsv2-agent/jdks"
[[ "$(id -u)" == 0 ]] && DEFAULT_CACHE=/var/cache/imdsv2-agent/jdks
CACHE="${IMDSV2_JDK_CACHE:-$DEFAULT_CACHE}"
ARCH=amd64
MULTIARCH=x86_64-linux-gnu

die() { echo "jdks.sh: $*" >&2; exit 1; }
log() { echo "jdks.sh: $*" >&2; }

# The Debian archive this machine's own apt configuration uses (not its security archive).
debian_archive() {
  local uri
  uri="$( { cat /etc/apt/sources.list 2>/dev/null; cat /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null; } \
    | awk '/^URIs:/ {print $2} /^deb / {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; break}}' \
    | grep -v -e security -e '^$' | grep '/debian/\?$' | head -1)"
  [[ -n "$uri" ]] || die "no Debian archive in this machine's apt sources"
  echo "${uri%/}"
}

# apt-get with its own sources list, package lists and cache under $CACHE/apt: one suite at a time.
private_apt() { # $1 = suite, rest = apt-get arguments
  local suite="$1"; shift
  local dir="$CACHE/apt/$suite"
  mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(debian_archive) $suite main" > "$dir/sources.list"
  apt-get -q -o Dir::Etc::SourceList="$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null \
    -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null \
    -o Dir::State::Lists="$dir/lists" -o Dir::Cache="$dir/cache" -o APT::Architecture="$ARCH" \
    -o Debug::NoLocking=true -o APT::Sandbox::User=root "$@"
}

# Downloads the packages of a suite and unpacks them all into one root folder.
unpack_debs() { # $1 = suite, $2 = root, rest = packages
  local suite="$1" root="$2"; shift 2
  local dir="$CACHE/apt/$suite"
  mkdir -p "$dir/debs"
  # The package list is read once and kept; when the archive has moved on since, it is read again.
  if [[ ! -f "$dir/updated" ]] || ! (cd "$dir/debs" && private_apt "$suite" download "$@" >&2); then
    log "reading the package list of Debian $suite"
    private_apt "$suite" update >&2 || die "apt-get update of Debian $suite failed"
    touch "$dir/updated"
    (cd "$dir/debs" && private_apt "$suite" download "$@" >&2) || die "apt-get download $* from Debian $suite failed"
  fi
  mkdir -p "$root"
  local package deb
  for package in "$@"; do
    deb="$(ls -t "$dir/debs/${package}_"*"_$ARCH.deb" "$dir/debs/${package}_"*_all.deb 2>/dev/null | head -1)"
    [[ -n "$deb" ]] || die "no .deb of $package downloaded from Debian $suite"
    log "unpacking $(basename "$deb")"
    dpkg -x "$deb" "$root"
  done
}

# Debian links a JDK's configuration files (conf/, jre/lib/*.cfg, security files) to /etc/java-N-openjdk/: they are
# re-pointed at the copies unpacked with it. Its CA store link (/etc/ssl/certs/java/cacerts) stays the machine's.
repoint_etc_links() { # $1 = root
  local root="$1" link target
  while IFS= read -r link; do
    target="$(readlink "$link")"
    if [[ "$target" == /etc/* && -e "$root$target" ]]; then
      ln -sfn "$root$target" "$link"
    fi
  done < <(find "$root/usr/lib/jvm" -type l)
}

# Points every executable and shared library of a JDK at the glibc unpacked in the same root.
use_unpacked_glibc() { # $1 = root, $2 = java home
  local root="$1" home="$2" libdir interpreter file rpath
  command -v patchelf >/dev/null 2>&1 || {
    log "installing patchelf (a Debian package) to point the JDK at its own glibc"
    apt-get install -y -qq patchelf >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq patchelf >/dev/null; } \
      || die "patchelf is needed and could not be installed"
  }
  libdir="$root/usr/lib/$MULTIARCH"
  interpreter="$libdir/ld-linux-x86-64.so.2"
  [[ -x "$interpreter" ]] || interpreter="$root/lib64/ld-linux-x86-64.so.2"
  [[ -e "$interpreter" ]] || die "no dynamic loader in the unpacked libc6 at $root"
  while IFS= read -r file; do
    head -c 4 "$file" | grep -q $'\x7fELF' || continue
    rpath="$(patchelf --print-rpath "$file")"
    patchelf --set-rpath "$libdir${rpath:+:$rpath}" "$file"
    if patchelf --print-interpreter "$file" >/dev/null 2>&1; then
      patchelf --set-interpreter "$interpreter" "$file"
    fi
  done < <(find -L "$home" -type f \( -path '*/bin/*' -o -name '*.so' -o -name '*.so.*' \) | sort -u)
}

# The executables' interpreter path is absolute, so a cached JDK is only usable where it was patched.
debian_jdk() { # $1 = version, $2 = suite, $3 = true to bring sid's glibc
  local version="$1" suite="$2" own_glibc="$3"
  local root="$CACHE/$version-$suite"
  local home="$root/usr/lib/jvm/java-$version-openjdk-$ARCH"
  if [[ -f "$root/.complete" && "$(cat "$root/.complete")" == "$root" ]] && "$home/bin/java" -version >/dev/null 2>&1; then
    echo "$home"; return
  fi
  rm -rf "$root"
  local packages=("openjdk-$version-jre-headless" "openjdk-$version-jdk-headless")
  [[ "$own_glibc" == true ]] && packages+=(libc6)
  unpack_debs "$suite" "$root" "${packages[@]}"
  [[ -x "$home/bin/java" ]] || die "the unpacked Java $version has no bin/java at $home"
  repoint_etc_links "$root"
  [[ "$own_glibc" == true ]] && use_unpacked_glibc "$root" "$home"
  "$home/bin/java" -version >/dev/null 2>&1 || die "the unpacked Java $version does not start: $("$home/bin/java" -version 2>&1 | head -3)"
  "$home/bin/javac" -version >/dev/null 2>&1 || die "the unpacked Java $version has no working javac"
  echo "$root" > "$root/.complete"
  rm -f "$CACHE/apt/$suite/debs/"*.deb # unpacked: the cache keeps the JDK, not its packages
  echo "$home"
}

system_jdk() { # $1 = version, $2 = home
  [[ -x "$2/bin/java" && -x "$2/bin/jcmd" ]] || die "no Java $1 JDK at $2"
  echo "$2"
}

home_of() {
  case "$1" in
    8) debian_jdk 8 sid true ;;
    11) debian_jdk 11 bullseye false ;;
    17) system_jdk 17 /usr/lib/jvm/java-17-openjdk-$ARCH ;;
    21) debian_jdk 21 sid true ;;
    25) system_jdk 25 /usr/lib/jvm/temurin-25-jdk-$ARCH ;;
    *) die "no source known for Java $1 (known: 8 11 17 21 25)" ;;
  esac
}

mkdir -p "$CACHE"
for version in "${VERSIONS[@]}"; do
  home="$(home_of "$version")"
  log "Java $version: $("$home/bin/java" -version 2>&1 | sed -n 2p)"
  if [[ "$PROPERTIES" == true ]]; then echo "-Dit.java$version.home=$home"; else echo "$version=$home"; fi
done
