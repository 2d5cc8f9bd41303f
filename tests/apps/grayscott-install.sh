#!/bin/sh
# partita-grayscott needs nothing but the installed library: `make install` into a
# temporary root, then a copy of its one source file is built out of the tree with mpicc
# and `pkg-config --cflags --libs partita` alone, and runs on 1 and 4 ranks to the
# fields of the in-tree build, bitwise. That build has no device back-end: it refuses
# run.backend = cuda (one line, exit 1) and runs run.backend = auto on the CPU.
. "$(dirname "$0")/../common.sh"
gs="$top_builddir/apps/grayscott/partita-grayscott"
[ -x "$gs" ] || { echo "partita-grayscott not built: skipped"; exit 77; }
[ -n "$H5DIFF" ] || { echo "h5diff not found: skipped"; exit 77; }
command -v pkg-config >/dev/null || { echo "pkg-config not found: skipped"; exit 77; }
command -v mpicc >/dev/null || { echo "mpicc not found: skipped"; exit 77; }
# A sanitizer build's library needs the sanitizer runtime in every program that loads it.
ldd "$top_builddir/src/.libs/libpartita.so" 2>/dev/null | grep -q -e libasan -e libtsan -e libubsan &&
  { echo "libpartita is built with sanitizers (a plain out-of-tree program cannot load it): skipped"; exit 77; }
root="$PT_TMP/root"
make -C "$top_builddir" install DESTDIR="$root" >"$PT_TMP/install.log" 2>&1 ||
  { tail -20 "$PT_TMP/install.log"; fail "make install failed"; }
prefix=$(sed -n 's/^prefix = //p' "$top_builddir/Makefile")
pc=$(find "$root" -name partita.pc | head -n 1)
[ -n "$pc" ] || fail "make install put no partita.pc under $root"
[ -f "$root$prefix/include/partita/partita.h" ] || fail "make install put no partita.h under $root$prefix/include/partita"
pcdir=$(dirname "$pc")
libdir=$(dirname "$pcdir")
mkdir "$PT_TMP/src"
cp "$top_srcdir/apps/grayscott/grayscott.c" "$top_srcdir/apps/grayscott/grayscott_device.h" "$PT_TMP/src/"
# partita.pc finds the prefix from where it is, but not for prefix /usr (configure.ac):
# defining it relocates the copy in DESTDIR either way (tests/apps/modulefile.sh does not).
flags() { PKG_CONFIG_PATH="$pcdir" pkg-config --define-variable=prefix="$root$prefix" "$@" partita; }
# shellcheck disable=SC2046
(cd "$PT_TMP/src" && mpicc -O2 -fopenmp $(flags --cflags) -o partita-grayscott grayscott.c $(flags --libs) -lm) \
  >"$PT_TMP/cc.log" 2>&1 || { cat "$PT_TMP/cc.log"; fail "the out-of-tree build failed"; }
lines=$(wc -l <"$PT_TMP/src/grayscott.c")
small="--set grid.nx=40 --set grid.ny=32 --set time.steps=50 --set output.every=50 --set initial.size=0.3"
mpirun_t 60 1 "$gs" "$top_srcdir/input/grayscott2d.ini" -q $small --output "$PT_TMP/in-tree" || fail "in-tree run failed"
for np in 1 4; do
  backend=cpu
  [ $np = 4 ] && backend=auto # accepted: the CPU, as cpu is
  LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" mpirun_t 60 $np "$PT_TMP/src/partita-grayscott" \
    "$top_srcdir/input/grayscott2d.ini" -q $small --set run.backend=$backend --output "$PT_TMP/out$np" ||
    fail "the out-of-tree build failed on $np ranks (run.backend=$backend)"
  for q in u v; do
    "$H5DIFF" "$PT_TMP/in-tree/grayscott.h5" "$PT_TMP/out$np/grayscott.h5" /data/50/meshes/$q /data/50/meshes/$q ||
      fail "out-of-tree build on $np ranks: $q differs from the in-tree build"
  done
done
LD_LIBRARY_PATH="$libdir" ldd "$PT_TMP/src/partita-grayscott" | grep -q "$libdir/libpartita" ||
  fail "the out-of-tree build did not run against the installed libpartita"
msg="run.backend: 'cuda' needs a usable CUDA device (this build has no CUDA back-end)"
for np in 1 4; do
  LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" mpirun_t 60 $np --quiet \
    "$PT_TMP/src/partita-grayscott" "$top_srcdir/input/grayscott2d.ini" $small --set run.backend=cuda \
    --output "$PT_TMP/cuda$np" >"$PT_TMP/out" 2>"$PT_TMP/err"
  rc=$?
  [ "$rc" -eq 1 ] || { cat "$PT_TMP/err"; fail "out of tree, run.backend=cuda, $np ranks: exit $rc, expected 1"; }
  [ "$(wc -l <"$PT_TMP/err")" -eq 1 ] && grep -qF "$msg" "$PT_TMP/err" ||
    { cat "$PT_TMP/err"; fail "out of tree, run.backend=cuda: not one line saying there is no back-end"; }
done
echo "ok: the out-of-tree build refuses run.backend=cuda: $(cat "$PT_TMP/err")"
echo "ok: grayscott.c ($lines lines) built from the installed library with pkg-config alone; 1 and 4 ranks (cpu, auto) = the in-tree build, bitwise"
