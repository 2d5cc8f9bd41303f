#!/bin/sh
# shellcheck source-path=SCRIPTDIR
# The installed modulefile is all a user needs: `make install` into a temporary root,
# then, in a clean environment (env -i: PATH, HOME and the MPI settings of the test
# environment, nothing of the build), environment modules' `module use` and `module load
# partita` put the apps on PATH and the library on LD_LIBRARY_PATH and PKG_CONFIG_PATH;
# a copy of apps/grayscott/grayscott.c builds with mpicc and `pkg-config partita` alone
# (the staged partita.pc finds its prefix itself) and runs on 1 and 2 ranks on an
# installed deck; `module unload` takes it all away again, and a symbolic link to the
# modulefile from another modulefiles directory finds the same installation.
# shellcheck source=../common.sh
. "$(dirname "$0")/../common.sh"
if [ -z "${PT_MODULE_STAGE:-}" ]; then
  # In the test environment: install, then this script again in a clean environment.
  command -v modulecmd >/dev/null || { echo "modulecmd not found (Debian: environment-modules): skipped"; exit 77; }
  init=${MODULESHOME:-/usr/share/modules}/init/sh
  [ -r "$init" ] || { echo "no environment modules init script $init: skipped"; exit 77; }
  command -v pkg-config >/dev/null || { echo "pkg-config not found: skipped"; exit 77; }
  command -v mpicc >/dev/null || { echo "mpicc not found: skipped"; exit 77; }
  # A sanitizer build's library needs the sanitizer runtime in every program that loads it.
  ldd "$top_builddir/src/.libs/libpartita.so" 2>/dev/null | grep -q -e libasan -e libtsan -e libubsan &&
    { echo "libpartita is built with sanitizers (a plain out-of-tree program cannot load it): skipped"; exit 77; }
  root="$PT_TMP/root"
  make -C "$top_builddir" install DESTDIR="$root" >"$PT_TMP/install.log" 2>&1 ||
    { tail -20 "$PT_TMP/install.log"; fail "make install failed"; }
  prefix=$(sed -n 's/^prefix = //p' "$top_builddir/Makefile")
  version=$(sed -n 's/^PACKAGE_VERSION = //p' "$top_builddir/Makefile")
  mf=$(find "$root" -path '*/modulefiles/partita/*' -type f | head -n 1)
  [ -n "$mf" ] || fail "make install put no modulefiles/partita/* under $root"
  [ "$(basename "$mf")" = "$version" ] || fail "the modulefile is $mf, not named after the version $version"
  pc=$(find "$root" -name partita.pc | head -n 1)
  [ -n "$pc" ] || fail "make install put no partita.pc under $root"
  # shellcheck disable=SC2016
  grep -q '^prefix=${pcfiledir}' "$pc" ||
    { echo "partita.pc names its prefix ($(sed -n 's/^prefix=//p' "$pc")): a staged copy cannot serve pkg-config: skipped"; exit 77; }
  set -- PATH="$PATH" HOME="${HOME:-/}" PT_MODULE_STAGE=2 PT_MODULE_INIT="$init" \
    PT_MODULE_DIR="$(dirname "$(dirname "$mf")")" PT_MODULE_PREFIX="$root$prefix" PT_MODULE_VERSION="$version" \
    top_srcdir="$top_srcdir" top_builddir="$top_builddir" MPIEXEC="$MPIEXEC" H5DIFF="${H5DIFF:-}"
  [ -n "${TMPDIR:-}" ] && set -- "$@" TMPDIR="$TMPDIR"
  for v in $(env | sed -n 's/^\(OMPI*_[A-Za-z0-9_]*\)=.*/\1/p'); do
    eval "set -- \"\$@\" \"$v=\${$v}\""
  done
  env -i "$@" sh "$0"
  exit $?
fi

# In the clean environment: nothing of Partita's is found before the module is loaded.
for v in LD_LIBRARY_PATH PKG_CONFIG_PATH MODULEPATH LOADEDMODULES PARTITA_ROOT; do
  [ -z "$(eval "echo \${$v:-}")" ] || fail "the clean environment has $v set"
done
# shellcheck source=/dev/null
. "$PT_MODULE_INIT" || fail "sourcing $PT_MODULE_INIT failed"
command -v module >/dev/null || fail "$PT_MODULE_INIT defined no module command"
version=$PT_MODULE_VERSION
real=$(cd "$PT_MODULE_PREFIX" && pwd -P)
module use "$PT_MODULE_DIR" || fail "module use $PT_MODULE_DIR failed"
module load partita || fail "module load partita failed"
module list -t >"$PT_TMP/list" 2>&1
grep -qx "partita/$version" "$PT_TMP/list" || { cat "$PT_TMP/list"; fail "module list does not show partita/$version"; }
module whatis partita 2>&1 | grep -q "Partita $version" || fail "module whatis partita does not name Partita $version"
module help partita 2>&1 | grep -q "pkg-config --cflags partita" || fail "module help partita does not say how to build against it"
[ "${PARTITA_ROOT:-}" = "$real" ] || fail "PARTITA_ROOT is '${PARTITA_ROOT:-}', not the installation $real"
[ "${PARTITA_DATA:-}" = "$real/share/partita" ] || fail "PARTITA_DATA is '${PARTITA_DATA:-}', not $real/share/partita"
for app in partita-heat partita-nbody partita-grayscott partita-commbench partita-plot; do
  [ "$(command -v $app)" = "$real/bin/$app" ] || fail "$app resolves to '$(command -v $app)', not into $real/bin"
done
partita-heat --version >"$PT_TMP/version" 2>&1 || { cat "$PT_TMP/version"; fail "the installed partita-heat --version failed"; }
ldd "$real/bin/partita-heat" | grep -q "libpartita.so.* => $real/lib/libpartita" ||
  { ldd "$real/bin/partita-heat"; fail "the installed partita-heat does not load the installed libpartita"; }
[ "$(pkg-config --modversion partita)" = "$version" ] || fail "pkg-config --modversion partita: '$(pkg-config --modversion partita 2>&1)', not $version"
inc=$(pkg-config --variable=includedir partita)
[ -f "$inc/partita/partita.h" ] || fail "pkg-config's includedir $inc holds no partita/partita.h"

mkdir "$PT_TMP/src"
cp "$top_srcdir/apps/grayscott/grayscott.c" "$top_srcdir/apps/grayscott/grayscott_device.h" "$PT_TMP/src/"
# shellcheck disable=SC2046
(cd "$PT_TMP/src" && mpicc -O2 -fopenmp $(pkg-config --cflags partita) -o partita-grayscott grayscott.c \
  $(pkg-config --libs partita) -lm) >"$PT_TMP/cc.log" 2>&1 ||
  { cat "$PT_TMP/cc.log"; echo "cflags: $(pkg-config --cflags partita)"; echo "libs: $(pkg-config --libs partita)"; fail "grayscott.c did not build with the module's pkg-config"; }
gs="$PT_TMP/src/partita-grayscott"
ldd "$gs" | grep -q "libpartita.so.* => $real/lib/libpartita" ||
  { ldd "$gs"; fail "the built partita-grayscott does not load the installed libpartita"; }
small="--set grid.nx=40 --set grid.ny=32 --set time.steps=50 --set output.every=50 --set initial.size=0.3"
for np in 1 2; do
  # shellcheck disable=SC2086
  mpirun_t 60 $np "$gs" "$PARTITA_DATA/grayscott2d.ini" -q $small --output "$PT_TMP/out$np" ||
    fail "the built partita-grayscott failed on $np ranks"
  [ -s "$PT_TMP/out$np/grayscott.h5" ] || fail "the run on $np ranks wrote no grayscott.h5"
done
if [ -n "$H5DIFF" ]; then
  for q in u v; do
    "$H5DIFF" "$PT_TMP/out1/grayscott.h5" "$PT_TMP/out2/grayscott.h5" /data/50/meshes/$q /data/50/meshes/$q ||
      fail "$q on 2 ranks differs from 1 rank"
  done
fi

module unload partita || fail "module unload partita failed"
module list -t 2>&1 | grep -q "^partita/" && fail "partita is still loaded after module unload"
for v in PATH LD_LIBRARY_PATH PKG_CONFIG_PATH; do
  case ":$(eval "echo \${$v:-}"):" in *":$real/"*) fail "$v still names $real after module unload" ;; esac
done
[ -z "${PARTITA_ROOT:-}" ] || fail "PARTITA_ROOT is still set after module unload"
case $(command -v partita-heat) in "$real"/*) fail "partita-heat is still found after module unload" ;; esac

# A site's modulefiles directory linking to the installed modulefile: the same installation.
mkdir -p "$PT_TMP/site/partita"
ln -s "$PT_MODULE_DIR/partita/$version" "$PT_TMP/site/partita/$version"
module unuse "$PT_MODULE_DIR" || fail "module unuse $PT_MODULE_DIR failed"
module use "$PT_TMP/site" || fail "module use $PT_TMP/site failed"
module load partita || fail "module load partita through a symbolic link failed"
[ "${PARTITA_ROOT:-}" = "$real" ] || fail "through a symbolic link, PARTITA_ROOT is '${PARTITA_ROOT:-}', not $real"
[ "$(command -v partita-heat)" = "$real/bin/partita-heat" ] || fail "through a symbolic link, partita-heat is not $real/bin/partita-heat"
module unload partita || fail "module unload partita (through a symbolic link) failed"
echo "ok: module load partita ($version) in a clean environment: apps on PATH, grayscott.c built with pkg-config alone and run on 1 and 2 ranks; module unload removes it; a linked modulefile finds the same installation"
