/* cb_params: the settings of partita-commbench, read from the [commbench] section of an
 * input deck and --set overrides (every key has a default, so no deck is needed). */
#ifndef CB_PARAMS_H
#define CB_PARAMS_H

#include <stdint.h>

#include "pt_config.h"
#include "pt_halo.h"

/* The benchmark families, in the order they run. */
typedef enum {
  CB_PINGPONG, CB_BW, CB_BIBW,
  CB_BCAST, CB_SCATTER, CB_GATHER, CB_ALLGATHER, CB_ALLTOALL, CB_REDUCE, CB_ALLREDUCE,
  CB_PUT, CB_GET, CB_HALO, CB_NTESTS
} cb_test;

/* At most this many ghost depths in commbench.halo_depths. */
enum { CB_MAX_DEPTHS = 8 };

/* One-sided synchronisation modes. */
typedef enum { CB_SYNC_FENCE, CB_SYNC_PSCW, CB_SYNC_LOCK, CB_NSYNC } cb_sync;

extern const char *const cb_test_names[];  /* "pingpong", ..., "halo" (NULL-terminated) */
extern const char *const cb_sync_names[];  /* "fence", "pscw", "lock" (NULL-terminated) */

typedef struct cb_params {
  int run[CB_NTESTS];             /* 1 if the test is selected */
  int sync[CB_NSYNC];             /* 1 if the one-sided mode is selected */
  int halo_kind[PT_HALO_NKINDS];  /* 1 if the halo back-end is selected */
  int halo_dims[2];               /* 2D, 3D selected */
  int64_t min_size, max_size;     /* point-to-point and one-sided message sizes (bytes) */
  int64_t coll_max_size;          /* largest collective message (bytes) */
  int64_t iterations;             /* timed iterations for small messages */
  int64_t min_iterations;         /* ... and never fewer than this for large ones */
  int64_t volume;                 /* bytes moved per timed loop before iterations shrink */
  double warmup;                  /* untimed iterations, as a fraction of the timed ones */
  int64_t trials;                 /* timed loops per size; each rank keeps its fastest */
  int64_t window;                 /* messages in flight in the bandwidth tests */
  int64_t halo_n[2];              /* global grid edge of the 2D and 3D halo tests */
  int64_t halo_iterations;
  int halo_depth[CB_MAX_DEPTHS];  /* ghost depths k timed (one exchange per k steps) */
  int n_halo_depth;
} cb_params;

/* Reads the [commbench] keys with their ranges. Errors: PT_ERR_INPUT with the key's
 * file:line (an unknown test or mode in a list, min_size > max_size, ...). Not
 * collective. */
int cb_params_read(pt_config *cfg, cb_params *p);

/* Timed iterations for an operation that moves `bytes` bytes: `iterations` for small
 * ones, fewer as `volume / bytes` drops, never below `min_iterations`. Not collective. */
int64_t cb_params_iterations(const cb_params *p, int64_t bytes);

/* Untimed warm-up iterations before a loop of `iters` timed ones (at least 1). */
int64_t cb_params_warmup(const cb_params *p, int64_t iters);

/* Messages in flight in a bandwidth test of `size`-byte messages: `window`, fewer for
 * large messages so that the buffers stay under 64 MiB. Not collective. */
int64_t cb_params_window(const cb_params *p, int64_t size);

#endif
