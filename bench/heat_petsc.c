#include "heat_petsc.h"

#include <math.h>
#include <petscdmda.h>
#include <stdlib.h>

#include "pt_error.h"

struct heat_petsc {
  DM da;
  Vec u, un, ul;     /* state, next state, local (ghosted) state */
  int ndim;
  PetscInt g[3];     /* global cells along PETSc's i, j, k (Partita's fastest axis first) */
  double c[3];       /* alpha dt / h^2 along Partita's axes 0, 1, 2 */
  double q;
  double two_v[3][2];
};

#define PETSC_TRY(call)                                                            \
  do {                                                                             \
    PetscErrorCode pe_ = (call);                                                   \
    if (pe_) return PT_ERROR(PT_ERR_RUNTIME, "%s failed (PETSc error %d)", #call, (int)pe_); \
  } while (0)

/* Partita's axis 0 is the slowest, PETSc's i the fastest: axis a is PETSc dimension
 * ndim-1-a. */
static int petsc_dim(int ndim, int axis) { return ndim - 1 - axis; }

int heat_petsc_create(MPI_Comm comm, const heat_params *p, heat_petsc **out) {
  *out = NULL;
  int err = PT_OK;
  for (int d = 0; d < p->ndim; ++d)
    for (int s = 0; s < 2; ++s)
      if (p->bc[d][s] != HEAT_BC_DIRICHLET)
        err = PT_ERROR(PT_ERR_INPUT, "the PETSc comparison has Dirichlet faces only");
  if (p->init != HEAT_INIT_GAUSSIAN)
    err = PT_ERROR(PT_ERR_INPUT, "the PETSc comparison starts from the Gaussian only");
  if (err) return err;
  heat_petsc *h = calloc(1, sizeof *h);
  if (!h) return PT_ERROR(PT_ERR_NOMEM, "out of memory");
  *out = h;
  h->ndim = p->ndim;
  for (int a = 0; a < p->ndim; ++a) {
    h->g[petsc_dim(p->ndim, a)] = (PetscInt)p->n[a];
    h->c[a] = p->alpha * p->dt / (p->h[a] * p->h[a]);
    for (int s = 0; s < 2; ++s) h->two_v[a][s] = 2.0 * p->bc_value[a][s];
  }
  h->q = p->dt * p->source;
  const DMBoundaryType gh = DM_BOUNDARY_GHOSTED;
  if (p->ndim == 2)
    PETSC_TRY(DMDACreate2d(comm, gh, gh, DMDA_STENCIL_STAR, h->g[0], h->g[1], PETSC_DECIDE,
                           PETSC_DECIDE, 1, 1, NULL, NULL, &h->da));
  else
    PETSC_TRY(DMDACreate3d(comm, gh, gh, gh, DMDA_STENCIL_STAR, h->g[0], h->g[1], h->g[2],
                           PETSC_DECIDE, PETSC_DECIDE, PETSC_DECIDE, 1, 1, NULL, NULL, NULL, &h->da));
  PETSC_TRY(DMSetUp(h->da));
  PETSC_TRY(DMCreateGlobalVector(h->da, &h->u));
  PETSC_TRY(VecDuplicate(h->u, &h->un));
  PETSC_TRY(DMCreateLocalVector(h->da, &h->ul));
  PETSC_TRY(VecSet(h->ul, 0.0));
  /* The Gaussian of partita-heat's initial_value, at the same cell centres. */
  PetscInt xs, ys, zs, xm, ym, zm;
  PETSC_TRY(DMDAGetCorners(h->da, &xs, &ys, &zs, &xm, &ym, &zm));
  const double w2 = 2 * p->width * p->width;
  if (p->ndim == 2) {
    PetscScalar **a;
    PETSC_TRY(DMDAVecGetArray(h->da, h->u, &a));
    for (PetscInt j = ys; j < ys + ym; ++j)
      for (PetscInt i = xs; i < xs + xm; ++i) {
        const double x0 = ((double)j + 0.5) * p->h[0] - p->center[0];
        const double x1 = ((double)i + 0.5) * p->h[1] - p->center[1];
        a[j][i] = p->background + p->amplitude * exp(-(x0 * x0 + x1 * x1) / w2);
      }
    PETSC_TRY(DMDAVecRestoreArray(h->da, h->u, &a));
  } else {
    PetscScalar ***a;
    PETSC_TRY(DMDAVecGetArray(h->da, h->u, &a));
    for (PetscInt k = zs; k < zs + zm; ++k)
      for (PetscInt j = ys; j < ys + ym; ++j)
        for (PetscInt i = xs; i < xs + xm; ++i) {
          const double x0 = ((double)k + 0.5) * p->h[0] - p->center[0];
          const double x1 = ((double)j + 0.5) * p->h[1] - p->center[1];
          const double x2 = ((double)i + 0.5) * p->h[2] - p->center[2];
          a[k][j][i] = p->background + p->amplitude * exp(-(x0 * x0 + x1 * x1 + x2 * x2) / w2);
        }
    PETSC_TRY(DMDAVecRestoreArray(h->da, h->u, &a));
  }
  return PT_OK;
}

void heat_petsc_destroy(heat_petsc **h) {
  if (!*h) return;
  VecDestroy(&(*h)->u);
  VecDestroy(&(*h)->un);
  VecDestroy(&(*h)->ul);
  DMDestroy(&(*h)->da);
  free(*h);
  *h = NULL;
}

static int step2d(heat_petsc *h) {
  PetscInt xs, ys, xm, ym;
  PetscScalar **a, **b;
  PETSC_TRY(DMDAGetCorners(h->da, &xs, &ys, NULL, &xm, &ym, NULL));
  PETSC_TRY(DMDAVecGetArray(h->da, h->ul, &a));
  PETSC_TRY(DMDAVecGetArray(h->da, h->un, &b));
  const PetscInt nx = h->g[0], ny = h->g[1];
  /* Dirichlet ghosts (ghost = 2 v - u), as heat_apply_bc. */
  if (ys == 0)
    for (PetscInt i = xs; i < xs + xm; ++i) a[-1][i] = h->two_v[0][0] - a[0][i];
  if (ys + ym == ny)
    for (PetscInt i = xs; i < xs + xm; ++i) a[ny][i] = h->two_v[0][1] - a[ny - 1][i];
  if (xs == 0)
    for (PetscInt j = ys; j < ys + ym; ++j) a[j][-1] = h->two_v[1][0] - a[j][0];
  if (xs + xm == nx)
    for (PetscInt j = ys; j < ys + ym; ++j) a[j][nx] = h->two_v[1][1] - a[j][nx - 1];
  const double c0 = h->c[0], c1 = h->c[1], q = h->q;
  for (PetscInt j = ys; j < ys + ym; ++j)
    for (PetscInt i = xs; i < xs + xm; ++i)
      b[j][i] = a[j][i] + (c0 * ((a[j - 1][i] + a[j + 1][i]) - 2.0 * a[j][i]) +
                           c1 * ((a[j][i - 1] + a[j][i + 1]) - 2.0 * a[j][i])) + q;
  PETSC_TRY(DMDAVecRestoreArray(h->da, h->un, &b));
  PETSC_TRY(DMDAVecRestoreArray(h->da, h->ul, &a));
  return PT_OK;
}

static int step3d(heat_petsc *h) {
  PetscInt xs, ys, zs, xm, ym, zm;
  PetscScalar ***a, ***b;
  PETSC_TRY(DMDAGetCorners(h->da, &xs, &ys, &zs, &xm, &ym, &zm));
  PETSC_TRY(DMDAVecGetArray(h->da, h->ul, &a));
  PETSC_TRY(DMDAVecGetArray(h->da, h->un, &b));
  const PetscInt nx = h->g[0], ny = h->g[1], nz = h->g[2];
  for (PetscInt k = zs; k < zs + zm; ++k)
    for (PetscInt j = ys; j < ys + ym; ++j) {
      if (xs == 0) a[k][j][-1] = h->two_v[2][0] - a[k][j][0];
      if (xs + xm == nx) a[k][j][nx] = h->two_v[2][1] - a[k][j][nx - 1];
    }
  for (PetscInt k = zs; k < zs + zm; ++k)
    for (PetscInt i = xs; i < xs + xm; ++i) {
      if (ys == 0) a[k][-1][i] = h->two_v[1][0] - a[k][0][i];
      if (ys + ym == ny) a[k][ny][i] = h->two_v[1][1] - a[k][ny - 1][i];
    }
  for (PetscInt j = ys; j < ys + ym; ++j)
    for (PetscInt i = xs; i < xs + xm; ++i) {
      if (zs == 0) a[-1][j][i] = h->two_v[0][0] - a[0][j][i];
      if (zs + zm == nz) a[nz][j][i] = h->two_v[0][1] - a[nz - 1][j][i];
    }
  const double c0 = h->c[0], c1 = h->c[1], c2 = h->c[2], q = h->q;
  for (PetscInt k = zs; k < zs + zm; ++k)
    for (PetscInt j = ys; j < ys + ym; ++j)
      for (PetscInt i = xs; i < xs + xm; ++i)
        b[k][j][i] = a[k][j][i] + (c0 * ((a[k - 1][j][i] + a[k + 1][j][i]) - 2.0 * a[k][j][i]) +
                                   c1 * ((a[k][j - 1][i] + a[k][j + 1][i]) - 2.0 * a[k][j][i]) +
                                   c2 * ((a[k][j][i - 1] + a[k][j][i + 1]) - 2.0 * a[k][j][i])) + q;
  PETSC_TRY(DMDAVecRestoreArray(h->da, h->un, &b));
  PETSC_TRY(DMDAVecRestoreArray(h->da, h->ul, &a));
  return PT_OK;
}

int heat_petsc_step(heat_petsc *h) {
  PETSC_TRY(DMGlobalToLocalBegin(h->da, h->u, INSERT_VALUES, h->ul));
  PETSC_TRY(DMGlobalToLocalEnd(h->da, h->u, INSERT_VALUES, h->ul));
  PT_TRY(h->ndim == 2 ? step2d(h) : step3d(h));
  PETSC_TRY(VecSwap(h->u, h->un));
  return PT_OK;
}

int heat_petsc_compare(heat_petsc *h, const pt_decomp *d, const double *field,
                       const int64_t stride[], int *same_boxes, double *maxdiff) {
  PetscInt lo[3], m[3];
  PETSC_TRY(DMDAGetCorners(h->da, &lo[0], &lo[1], &lo[2], &m[0], &m[1], &m[2]));
  int same = 1;
  for (int a = 0; a < d->ndim; ++a) {
    const int pd = petsc_dim(d->ndim, a);
    same &= lo[pd] == d->lo[a] && m[pd] == d->n[a];
  }
  PT_MPI(MPI_Allreduce(MPI_IN_PLACE, &same, 1, MPI_INT, MPI_LAND, d->cart));
  *same_boxes = same;
  const PetscScalar *u;
  PetscInt nu;
  PETSC_TRY(VecGetLocalSize(h->u, &nu));
  PETSC_TRY(VecGetArrayRead(h->u, &u));
  /* Both store the owned box in C order with Partita's axis 0 slowest. */
  const int64_t n1 = d->n[1], n2 = d->ndim == 3 ? d->n[2] : 1;
  const int64_t total = pt_decomp_local_cells(d);
  double local[2] = {0, 0}, sum[2];
  for (int64_t c = 0; c < total; ++c) {
    const int64_t i0 = c / (n1 * n2), i1 = (c / n2) % n1, i2 = c % n2;
    const double f = field[i0 * stride[0] + i1 * stride[1] + (d->ndim == 3 ? i2 * stride[2] : 0)];
    if (same) local[0] = fmax(local[0], fabs(f - u[c]));
    else local[0] += f;
  }
  for (PetscInt c = 0; c < nu && !same; ++c) local[1] += u[c];
  PETSC_TRY(VecRestoreArrayRead(h->u, &u));
  if (same) {
    PT_MPI(MPI_Allreduce(local, maxdiff, 1, MPI_DOUBLE, MPI_MAX, d->cart));
  } else {
    PT_MPI(MPI_Allreduce(local, sum, 2, MPI_DOUBLE, MPI_SUM, d->cart));
    *maxdiff = fabs(sum[0] - sum[1]) / fmax(fabs(sum[1]), 1e-300);
  }
  return PT_OK;
}
