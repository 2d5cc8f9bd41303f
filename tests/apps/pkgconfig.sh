#!/bin/sh
# partita.pc is complete: a program that includes <partita.h> and calls MPI itself builds
# with a plain C compiler and nothing but `pkg-config --cflags/--libs partita`, and runs
# on 2 ranks; the static link line names the private dependencies (HDF5, inih, cJSON,
# OpenMP). The build tree's partita.pc is pointed at the sources' headers and the built
# library, as an installed one points at the prefix.
. "$(dirname "$0")/../common.sh"
command -v pkg-config >/dev/null || { echo "pkg-config not found: skipped"; exit 77; }
cc=${CC_PLAIN:-cc}
command -v "$cc" >/dev/null || { echo "no C compiler '$cc': skipped"; exit 77; }
mkdir -p "$PT_TMP/inc" "$PT_TMP/pc"
ln -s "$top_srcdir/src" "$PT_TMP/inc/partita"
sed -e "s|^includedir=.*|includedir=$PT_TMP/inc|" -e "s|^libdir=.*|libdir=$top_builddir/src/.libs|" \
  "$top_builddir/partita.pc" >"$PT_TMP/pc/partita.pc"
pc() { PKG_CONFIG_PATH="$PT_TMP/pc${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}" pkg-config "$@" partita; }
cat >"$PT_TMP/x.c" <<'C'
#include <stdio.h>
#include <partita.h>
int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int64_t n[2] = {10, 7};
  pt_decomp *d = NULL;
  int err = pt_decomp_create(MPI_COMM_WORLD, 2, n, NULL, NULL, &d);
  if (!err && d->rank == 0) printf("ok: %d ranks, process grid %d x %d\n", d->size, d->dims[0], d->dims[1]);
  pt_decomp_destroy(&d);
  MPI_Finalize();
  return err ? 1 : 0;
}
C
# shellcheck disable=SC2046
"$cc" $(pc --cflags) -o "$PT_TMP/x" "$PT_TMP/x.c" $(pc --libs) >"$PT_TMP/cc.log" 2>&1 ||
  { cat "$PT_TMP/cc.log"; echo "cflags: $(pc --cflags)"; echo "libs: $(pc --libs)"; fail "cc with pkg-config partita did not build"; }
LD_LIBRARY_PATH="$top_builddir/src/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" mpirun_t 60 2 "$PT_TMP/x" >"$PT_TMP/run.log" 2>&1 ||
  { cat "$PT_TMP/run.log"; fail "the pkg-config-built program failed"; }
grep -q "ok: 2 ranks" "$PT_TMP/run.log" || { cat "$PT_TMP/run.log"; fail "unexpected output"; }
static=$(pc --static --libs)
for want in -lpartita -lmpi -lhdf5 -linih -lcjson -fopenmp; do
  case " $static " in *" $want "*) ;; *) fail "pkg-config --static --libs partita lacks $want: $static" ;; esac
done
echo "ok: cc \$(pkg-config --cflags partita) x.c \$(pkg-config --libs partita) builds and runs on 2 ranks; --static names MPI, HDF5, inih, cJSON, OpenMP"
