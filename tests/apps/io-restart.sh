#!/bin/sh
# Checkpoint/restart end to end with tests/apps/io_driver: a run stopped and restarted
# on other rank counts and process grids ends bit-for-bit where an uninterrupted run
# ends; injected crashes during a checkpoint write lose nothing; corrupted, truncated
# and mismatched checkpoints are refused with exit 1 and a clear message.
. "$(dirname "$0")/../common.sh"
drv="$top_builddir/tests/apps/io_driver"
[ -n "${H5DIFF:-}" ] || { echo "h5diff not found: skipped"; exit 77; }
ck() { echo "$1/io_driver-checkpoint.h5"; }

# run NP DIR LOG [ARGS...]: the driver, status in $rc, output in LOG.
run() {
  np=$1; dir=$2; log=$3; shift 3
  mkdir -p "$dir"
  mpirun_t 60 "$np" "$drv" --output "$dir" --set driver.nx=20 --set driver.ny=14 \
    --set driver.particles=57 "$@" >"$log" 2>&1
  rc=$?
}
expect_rc() { [ "$rc" -eq "$1" ] || { cat "$3"; fail "$2: exit $rc, expected $1"; }; }
expect_log() { grep -q -- "$2" "$3" || { cat "$3"; fail "$1: output lacks '$2'"; }; }

# 1. Reference: 20 steps on 2 ranks without a stop.
run 2 "$PT_TMP/ref" "$PT_TMP/ref.log" --set driver.steps=20
expect_rc 0 reference "$PT_TMP/ref.log"

# 2. 12 steps on 3 ranks (checkpoints at 5 and 10), then on to 20 from "latest" on 4
#    ranks with a 1 x 4 process grid.
run 3 "$PT_TMP/a" "$PT_TMP/a1.log" --set driver.steps=12 --set driver.checkpoint_every=5
expect_rc 0 "first leg" "$PT_TMP/a1.log"
run 4 "$PT_TMP/a" "$PT_TMP/a2.log" --set driver.steps=20 --set driver.px=1 --set driver.py=4 --restart latest
expect_rc 0 "restart leg" "$PT_TMP/a2.log"
expect_log restart "restarted from $(ck "$PT_TMP/a") at step 10" "$PT_TMP/a2.log"
for step in 15 20; do
  # particlePatches hold one patch per writing rank: the one part that depends on it.
  "$H5DIFF" --exclude-path /particles/stars/particlePatches "$PT_TMP/ref/io_driver.h5" \
    "$PT_TMP/a/io_driver.h5" "/data/$step" "/data/$step" \
    || fail "step $step after a restart on other rank counts differs from the uninterrupted run"
done
echo "ok: restart at 3 -> 4 ranks is bit-for-bit"

# 3. Crash between the data and the rename: the previous checkpoint (step 10) survives.
b="$PT_TMP/b"
run 2 "$b" "$PT_TMP/b1.log" --set driver.steps=10 --set driver.checkpoint_every=5
expect_rc 0 "setup" "$PT_TMP/b1.log"
PT_CHECKPOINT_FAULT=before-rename run 2 "$b" "$PT_TMP/b2.log" --set driver.steps=15 \
  --set driver.checkpoint_every=5 --restart latest
[ "$rc" -ne 0 ] && [ "$rc" -ne 3 ] || fail "before-rename: the injected crash did not happen (exit $rc)"
run 3 "$b" "$PT_TMP/b3.log" --set driver.steps=10 --restart latest
expect_rc 0 "after before-rename crash" "$PT_TMP/b3.log"
expect_log before-rename "restarted from $(ck "$b") at step 10" "$PT_TMP/b3.log"
echo "ok: a crash before the rename keeps the previous checkpoint"

# 4. Crash between the two renames: only the .1 generation is there; latest finds it.
PT_CHECKPOINT_FAULT=after-rotate run 2 "$b" "$PT_TMP/b4.log" --set driver.steps=15 \
  --set driver.checkpoint_every=5 --restart latest
[ "$rc" -ne 0 ] && [ "$rc" -ne 3 ] || fail "after-rotate: the injected crash did not happen (exit $rc)"
[ ! -e "$(ck "$b")" ] || fail "after-rotate: the newest checkpoint should be gone"
run 1 "$b" "$PT_TMP/b5.log" --set driver.steps=15 --set driver.checkpoint_every=5 --restart latest
expect_rc 0 "after after-rotate crash" "$PT_TMP/b5.log"
expect_log after-rotate "restarted from $(ck "$b").1 at step 10" "$PT_TMP/b5.log"
echo "ok: a crash between the renames leaves a loadable .1"

# 5. A corrupted byte in the data: refused by name, "latest" falls back to .1.
off=$("$H5DUMP" -p -H -d /data/15/meshes/T "$(ck "$b")" | sed -n 's/.*OFFSET \([0-9]*\).*/\1/p')
[ -n "$off" ] || fail "cannot find the data offset with h5dump"
cp "$(ck "$b")" "$PT_TMP/good.h5"
printf 'XXXXXXXX' | dd of="$(ck "$b")" bs=1 seek=$((off + 64)) conv=notrunc 2>/dev/null
run 2 "$b" "$PT_TMP/c1.log" --set driver.steps=16 --restart "$(ck "$b")"
expect_rc 1 "corrupted byte" "$PT_TMP/c1.log"
expect_log "corrupted byte" "io_driver-checkpoint.h5: mesh record /data/15/meshes/T: checksum mismatch" "$PT_TMP/c1.log"
run 2 "$b" "$PT_TMP/c2.log" --set driver.steps=16 --restart latest
expect_rc 0 "latest after corruption" "$PT_TMP/c2.log"
expect_log "latest after corruption" "restarted from $(ck "$b").1 at step 10" "$PT_TMP/c2.log"
echo "ok: a corrupted checkpoint is refused, latest falls back"

# 6. Truncated, wrong grid, missing: exit 1 with the file named.
cp "$PT_TMP/good.h5" "$PT_TMP/trunc.h5"
truncate -s 5000 "$PT_TMP/trunc.h5"
run 2 "$b" "$PT_TMP/d1.log" --set driver.steps=16 --restart "$PT_TMP/trunc.h5"
expect_rc 1 truncated "$PT_TMP/d1.log"
expect_log truncated "trunc.h5: cannot open (truncated or corrupt HDF5 file)" "$PT_TMP/d1.log"
run 2 "$b" "$PT_TMP/d2.log" --set driver.steps=16 --set driver.nx=21 --restart "$PT_TMP/good.h5"
expect_rc 1 "wrong grid" "$PT_TMP/d2.log"
# Shapes read fastest axis first; the driver's nx is its slowest axis.
expect_log "wrong grid" "good.h5: the checkpoint's grid is 14 x 20 (2D), the deck's is 14 x 21 (2D)" "$PT_TMP/d2.log"
run 2 "$PT_TMP/empty" "$PT_TMP/d3.log" --restart latest
expect_rc 1 "no checkpoint" "$PT_TMP/d3.log"
expect_log "no checkpoint" "no checkpoint of io_driver to restart from" "$PT_TMP/d3.log"
echo "ok: truncated, mismatched and missing checkpoints exit 1 with a clear message"
