#include "pt_particles.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "pt_decomp.h"
#include "pt_error.h"

int64_t pt_particles_padded(int64_t n) {
  return (n + PT_PARTICLES_PAD - 1) / PT_PARTICLES_PAD * PT_PARTICLES_PAD;
}

static void *aligned_zeroed(int64_t n, size_t elem_size) {
  size_t bytes = (size_t)pt_particles_padded(n > 0 ? n : 1) * elem_size;
  bytes = (bytes + PT_PARTICLES_ALIGN - 1) / PT_PARTICLES_ALIGN * PT_PARTICLES_ALIGN;
  void *m = aligned_alloc(PT_PARTICLES_ALIGN, bytes);
  if (m) memset(m, 0, bytes);
  return m;
}

int pt_particles_alloc(const pt_particles *p, size_t elem_size, void **out) {
  *out = aligned_zeroed(p->n, elem_size);
  return *out ? PT_OK : PT_ERROR(PT_ERR_NOMEM, "out of memory for %lld particles", (long long)p->n);
}

void pt_particles_destroy(pt_particles **pp) {
  pt_particles *p = *pp;
  if (!p) return;
  free(p->id);
  for (int c = 0; c < 3; ++c) {
    free(p->x[c]);
    free(p->v[c]);
  }
  free(p->mass);
  free(p->counts);
  free(p->displs);
  /* Unchecked: a destroy has no error to return; a failed free only leaks the handle. */
  if (p->comm != MPI_COMM_NULL) MPI_Comm_free(&p->comm);
  free(p);
  *pp = NULL;
}

static int create(MPI_Comm comm, int64_t ntotal, pt_particles *p) {
  PT_MPI(MPI_Comm_dup(comm, &p->comm));
  PT_MPI(MPI_Comm_set_errhandler(p->comm, MPI_ERRORS_RETURN));
  PT_MPI(MPI_Comm_rank(p->comm, &p->rank));
  PT_MPI(MPI_Comm_size(p->comm, &p->size));
  p->ntotal = ntotal;
  if (ntotal < 0)
    return PT_ERROR(PT_ERR_INPUT, "particle count %lld is negative", (long long)ntotal);
  /* Displacements are MPI ints too, so the whole set must be indexable by one. */
  if (ntotal > INT_MAX)
    return PT_ERROR(PT_ERR_INPUT, "%lld particles: more than MPI counts can index (%d)",
                    (long long)ntotal, INT_MAX);
  p->counts = malloc(sizeof(int) * (size_t)p->size);
  p->displs = malloc(sizeof(int) * (size_t)p->size);
  if (!p->counts || !p->displs) return PT_ERROR(PT_ERR_NOMEM, "out of memory");
  for (int r = 0; r < p->size; ++r) {
    int64_t first, count;
    pt_decomp_block(ntotal, p->size, r, &first, &count);
    p->counts[r] = (int)count;
    p->displs[r] = (int)first;
  }
  p->n = p->counts[p->rank];
  p->offset = p->displs[p->rank];
  int ok = (p->id = aligned_zeroed(p->n, sizeof *p->id)) != NULL;
  ok = ok && (p->mass = aligned_zeroed(p->n, sizeof(double))) != NULL;
  for (int c = 0; c < 3; ++c) {
    ok = ok && (p->x[c] = aligned_zeroed(p->n, sizeof(double))) != NULL;
    ok = ok && (p->v[c] = aligned_zeroed(p->n, sizeof(double))) != NULL;
  }
  if (!ok) return PT_ERROR(PT_ERR_NOMEM, "out of memory for %lld particles", (long long)p->n);
  for (int64_t i = 0; i < p->n; ++i) p->id[i] = (uint64_t)(p->offset + i);
  return PT_OK;
}

int pt_particles_create(MPI_Comm comm, int64_t ntotal, pt_particles **out) {
  *out = NULL;
  pt_particles *p = calloc(1, sizeof *p);
  if (p) p->comm = MPI_COMM_NULL;
  /* create starts with a collective MPI_Comm_dup: no rank may skip it alone. */
  int err = pt_agree(comm, p ? PT_OK : PT_ERROR(PT_ERR_NOMEM, "out of memory"));
  if (!err) err = pt_agree(comm, create(comm, ntotal, p));
  if (err)
    pt_particles_destroy(&p);
  else
    *out = p;
  return err;
}

int pt_particles_allgather(const pt_particles *p, MPI_Datatype type, const void *local,
                           void *global) {
  PT_MPI(MPI_Allgatherv(local, (int)p->n, type, global, p->counts, p->displs, type, p->comm));
  return PT_OK;
}

int pt_particles_gather(const pt_particles *p, int root, MPI_Datatype type,
                        const void *local, void *global) {
  PT_MPI(MPI_Gatherv(local, (int)p->n, type, global, p->counts, p->displs, type, root, p->comm));
  return PT_OK;
}

void pt_particles_records(const pt_particles *p, const pt_units *u,
                          pt_particle_record rec[PT_PARTICLES_NREC]) {
  static const double dims[PT_PARTICLES_NREC][7] = {{1, 0, 0, 0, 0, 0, 0},    /* L */
                                                    {1, 0, -1, 0, 0, 0, 0},   /* L T^-1 */
                                                    {0, 1, 0, 0, 0, 0, 0}};   /* M */
  static const pt_units code = {0, {1, 1, 1, 1, 1, 1, 1}};
  memset(rec, 0, sizeof(pt_particle_record) * PT_PARTICLES_NREC);
  rec[0].name = "position";
  rec[1].name = "velocity";
  rec[2].name = "mass";
  rec[0].ncomp = rec[1].ncomp = 3;
  rec[2].ncomp = 1;
  for (int c = 0; c < 3; ++c) {
    rec[0].comp[c] = p->x[c];
    rec[1].comp[c] = p->v[c];
  }
  rec[2].comp[0] = p->mass;
  for (int k = 0; k < PT_PARTICLES_NREC; ++k)
    pt_units_of(u ? u : &code, dims[k], &rec[k].unit_si, rec[k].unit_dimension);
}

int pt_particles_write(const pt_particles *p, const pt_units *u, pt_series *s, int64_t step,
                       double time, double dt, const char *species) {
  pt_particle_record rec[PT_PARTICLES_NREC];
  pt_particles_records(p, u, rec);
  return pt_series_write_particles(s, step, time, dt, species, p->n, p->id, PT_PARTICLES_NREC, rec);
}

int pt_particles_assign(pt_particles *p, const pt_io_particles *set, const char *source) {
  static const char *const names[PT_PARTICLES_NREC] = {"position", "velocity", "mass"};
  static const int ncomp[PT_PARTICLES_NREC] = {3, 3, 1};
  if (set->ntotal != p->ntotal || set->n != p->n || set->offset != p->offset)
    return PT_ERROR(PT_ERR_INPUT, "%s: %lld particles, expected %lld", source,
                    (long long)set->ntotal, (long long)p->ntotal);
  if (set->nrec < PT_PARTICLES_NREC)
    return PT_ERROR(PT_ERR_INPUT, "%s: particle records position, velocity and mass needed",
                    source);
  for (int r = 0; r < PT_PARTICLES_NREC; ++r)
    if (strcmp(set->rec[r].name, names[r]) != 0 || set->rec[r].ncomp != ncomp[r])
      return PT_ERROR(PT_ERR_INPUT, "%s: record %s must have %d component(s) (has %d)", source,
                      names[r], ncomp[r], set->rec[r].ncomp);
  if (p->n > 0) memcpy(p->id, set->id, sizeof *p->id * (size_t)p->n);
  for (int64_t i = 0; i < p->n; ++i) {
    for (int c = 0; c < 3; ++c) {
      p->x[c][i] = set->rec[0].comp[c][i];
      p->v[c][i] = set->rec[1].comp[c][i];
    }
    p->mass[i] = set->rec[2].comp[0][i];
  }
  return PT_OK;
}

int pt_particles_read(MPI_Comm comm, const char *path, int64_t step, const char *species,
                      pt_particles **p) {
  static const char *const names[PT_PARTICLES_NREC] = {"position", "velocity", "mass"};
  *p = NULL;
  pt_io_particles set;
  PT_TRY(pt_io_read_particles(comm, path, step, species, PT_PARTICLES_NREC, names, &set));
  int err = pt_particles_create(comm, set.ntotal, p);
  if (!err) err = pt_agree(comm, pt_particles_assign(*p, &set, path));
  pt_io_particles_free(&set);
  if (err) pt_particles_destroy(p);
  return err;
}
