#include "cb_params.h"

#include <stdio.h>
#include <string.h>

#include "pt_error.h"

const char *const cb_test_names[] = {"pingpong", "bw", "bibw", "bcast", "scatter", "gather",
                                     "allgather", "alltoall", "reduce", "allreduce", "put",
                                     "get", "halo", NULL};
const char *const cb_sync_names[] = {"fence", "pscw", "lock", NULL};
static const char *const dim_names[] = {"2", "3", NULL};

/* Bandwidth buffers hold window x size bytes; this keeps them within memory. */
static const int64_t window_bytes = INT64_C(64) << 20;

/* A list key ("all", or names separated by commas or blanks) into flags over `names`. */
static int read_list(pt_config *cfg, const char *key, const char *const *names, int *flags) {
  const char *s;
  PT_TRY(pt_config_get_string(cfg, key, "all", &s));
  int n = 0;
  while (names[n]) ++n;
  if (strcmp(s, "all") == 0) {
    for (int i = 0; i < n; ++i) flags[i] = 1;
    return PT_OK;
  }
  for (int i = 0; i < n; ++i) flags[i] = 0;
  int any = 0;
  while (*s) {
    size_t len = strcspn(s, ", \t");
    if (len) {
      int found = -1;
      for (int i = 0; i < n && found < 0; ++i)
        if (strlen(names[i]) == len && strncmp(s, names[i], len) == 0) found = i;
      if (found < 0) {
        char list[256] = "";
        size_t off = 0;
        for (int i = 0; i < n && off < sizeof list; ++i)
          off += (size_t)snprintf(list + off, sizeof list - off, "%s%s", i ? ", " : "", names[i]);
        return pt_config_error(cfg, key, "unknown entry '%.*s' (expected 'all' or a list of %s)",
                               (int)len, s, list);
      }
      flags[found] = any = 1;
    }
    s += len;
    s += strspn(s, ", \t");
  }
  if (!any) return pt_config_error(cfg, key, "empty list (use 'all' or name at least one)");
  return PT_OK;
}

int cb_params_read(pt_config *cfg, cb_params *p) {
  memset(p, 0, sizeof *p);
  const int64_t big = INT64_C(1) << 40;
  PT_TRY(read_list(cfg, "commbench.tests", cb_test_names, p->run));
  PT_TRY(read_list(cfg, "commbench.sync", cb_sync_names, p->sync));
  PT_TRY(read_list(cfg, "commbench.halo_backends", pt_halo_kind_names, p->halo_kind));
  PT_TRY(read_list(cfg, "commbench.halo_dims", dim_names, p->halo_dims));
  PT_TRY(pt_config_get_int(cfg, "commbench.min_size", 1, 1, INT64_C(1) << 30, &p->min_size));
  PT_TRY(pt_config_get_int(cfg, "commbench.max_size", INT64_C(16) << 20, 1, INT64_C(1) << 30, &p->max_size));
  if (p->min_size > p->max_size)
    return pt_config_error(cfg, "commbench.max_size", "must be >= commbench.min_size (%lld)",
                           (long long)p->min_size);
  PT_TRY(pt_config_get_int(cfg, "commbench.coll_max_size", INT64_C(1) << 20, 1, INT64_C(1) << 28,
                           &p->coll_max_size));
  PT_TRY(pt_config_get_int(cfg, "commbench.iterations", 1000, 1, big, &p->iterations));
  PT_TRY(pt_config_get_int(cfg, "commbench.min_iterations", 10, 1, big, &p->min_iterations));
  PT_TRY(pt_config_get_int(cfg, "commbench.volume", INT64_C(128) << 20, 1, big, &p->volume));
  PT_TRY(pt_config_get_double(cfg, "commbench.warmup", 0.1, 0.0, 10.0, &p->warmup));
  PT_TRY(pt_config_get_int(cfg, "commbench.trials", 3, 1, 1000, &p->trials));
  PT_TRY(pt_config_get_int(cfg, "commbench.window", 64, 1, 4096, &p->window));
  PT_TRY(pt_config_get_int(cfg, "commbench.halo_n2d", 1024, 3, INT64_C(1) << 20, &p->halo_n[0]));
  PT_TRY(pt_config_get_int(cfg, "commbench.halo_n3d", 128, 3, INT64_C(1) << 14, &p->halo_n[1]));
  PT_TRY(pt_config_get_int(cfg, "commbench.halo_iterations", 100, 1, big, &p->halo_iterations));
  double depth[CB_MAX_DEPTHS];
  PT_TRY(pt_config_get_doubles(cfg, "commbench.halo_depths", CB_MAX_DEPTHS, &p->n_halo_depth, depth));
  if (!p->n_halo_depth) {
    static const double depth_default[] = {1, 2, 4};
    p->n_halo_depth = (int)(sizeof depth_default / sizeof *depth_default);
    memcpy(depth, depth_default, sizeof depth_default);
  }
  for (int k = 0; k < p->n_halo_depth; ++k) {
    if (depth[k] != (double)(int)depth[k] || depth[k] < 1 || depth[k] > 16)
      return pt_config_error(cfg, "commbench.halo_depths", "entry %d is %g; depths are whole numbers 1-16",
                             k + 1, depth[k]);
    p->halo_depth[k] = (int)depth[k];
  }
  return PT_OK;
}

int64_t cb_params_iterations(const cb_params *p, int64_t bytes) {
  int64_t n = p->volume / (bytes > 0 ? bytes : 1);
  if (n > p->iterations) n = p->iterations;
  return n < p->min_iterations ? p->min_iterations : n;
}

int64_t cb_params_warmup(const cb_params *p, int64_t iters) {
  int64_t n = (int64_t)(p->warmup * (double)iters);
  return n < 1 ? 1 : n;
}

int64_t cb_params_window(const cb_params *p, int64_t size) {
  int64_t w = window_bytes / (size > 0 ? size : 1);
  if (w > p->window) w = p->window;
  return w < 1 ? 1 : w;
}
