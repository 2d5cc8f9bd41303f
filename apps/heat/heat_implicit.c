/* The implicit back-end of partita-heat: backward Euler and Crank-Nicolson through
 * PETSc's KSP. The DMDA is laid out on Partita's own decomposition (same process grid,
 * same blocks), so moving data between a pt_field and a PETSc Vec is a local copy, never
 * a redistribution. Built with PETSc only. */
#include "heat_explicit.h"

#include <petscdmda.h>
#include <petscksp.h>
#include <stdlib.h>

#include "pt_error.h"

/* The solver's stopping rule beyond the deck's relative tolerance: no absolute floor
 * (a field near zero still converges relatively), PETSc's divergence test, and an
 * iteration cap far above what CG with Jacobi needs on these grids. */
static const double ksp_atol = 1e-50;
static const PetscInt ksp_max_iterations = 10000;

typedef struct heat_implicit {
  pt_halo *halo[2];   /* Crank-Nicolson's explicit half */
  DM da;
  Mat A;
  Vec x, b;
  KSP ksp;
  double theta;       /* 1 backward Euler, 1/2 Crank-Nicolson */
} heat_implicit;

/* Turns a PETSc error into a Partita error carrying PETSc's own message. */
#define HEAT_PETSC(call)                                                              \
  do {                                                                                \
    PetscErrorCode perr_ = (call);                                                    \
    if (perr_) {                                                                      \
      const char *ptext_ = NULL;                                                      \
      PetscErrorMessage(perr_, &ptext_, NULL);                                        \
      return PT_ERROR(PT_ERR_RUNTIME, "%s failed: %s", #call, ptext_ ? ptext_ : "?"); \
    }                                                                                 \
  } while (0)

/* Our axis d is PETSc's axis ndim-1-d (PETSc's x varies fastest, like our last axis). */
static int create_dmda(const heat_state *s, DM *da) {
  const pt_decomp *dc = s->decomp;
  const heat_params *p = s->p;
  const int nd = dc->ndim;
  PetscInt *own[PT_MAXDIM] = {NULL, NULL, NULL};
  DMBoundaryType bt[PT_MAXDIM];
  PetscInt M[PT_MAXDIM], P[PT_MAXDIM];
  for (int q = 0; q < nd; ++q) {
    int d = nd - 1 - q;
    M[q] = (PetscInt)dc->gsize[d];
    P[q] = dc->dims[d];
    bt[q] = p->bc[d][0] == HEAT_BC_PERIODIC ? DM_BOUNDARY_PERIODIC : DM_BOUNDARY_NONE;
    own[q] = malloc(sizeof(PetscInt) * (size_t)dc->dims[d]);
    if (!own[q]) {
      for (int k = 0; k < PT_MAXDIM; ++k) free(own[k]);
      return PT_ERROR(PT_ERR_NOMEM, "out of memory");
    }
    for (int c = 0; c < dc->dims[d]; ++c) {
      int64_t start, count;
      pt_decomp_block(dc->gsize[d], dc->dims[d], c, &start, &count);
      own[q][c] = (PetscInt)count;
    }
  }
  PetscErrorCode e;
  if (nd == 2)
    e = DMDACreate2d(dc->cart, bt[0], bt[1], DMDA_STENCIL_STAR, M[0], M[1], P[0], P[1], 1, 1,
                     own[0], own[1], da);
  else
    e = DMDACreate3d(dc->cart, bt[0], bt[1], bt[2], DMDA_STENCIL_STAR, M[0], M[1], M[2], P[0],
                     P[1], P[2], 1, 1, own[0], own[1], own[2], da);
  for (int d = 0; d < PT_MAXDIM; ++d) free(own[d]);
  HEAT_PETSC(e);
  HEAT_PETSC(DMSetUp(*da));
  /* The DMDA must own exactly our block, or every copy below would be wrong. */
  PetscInt xs[3], xm[3];
  HEAT_PETSC(DMDAGetCorners(*da, &xs[0], &xs[1], &xs[2], &xm[0], &xm[1], &xm[2]));
  for (int d = 0; d < nd; ++d)
    if (xs[nd - 1 - d] != dc->lo[d] || xm[nd - 1 - d] != dc->n[d])
      return PT_ERROR(PT_ERR_RUNTIME, "PETSc DMDA layout differs from Partita's decomposition");
  return PT_OK;
}

/* Row of (I - theta dt alpha L): Dirichlet faces fold the ghost (2v - u) into the
 * diagonal, Neumann faces (ghost = u) likewise; periodic and interior faces couple. */
static int assemble(heat_implicit *im, const heat_state *s) {
  const pt_decomp *dc = s->decomp;
  const heat_params *p = s->p;
  const int nd = dc->ndim;
  HEAT_PETSC(DMCreateMatrix(im->da, &im->A));
  int64_t total = pt_decomp_local_cells(dc);
  for (int64_t c = 0; c < total; ++c) {
    int64_t g[PT_MAXDIM] = {0}, r = c;
    for (int d = nd - 1; d >= 0; --d) { g[d] = dc->lo[d] + r % dc->n[d]; r /= dc->n[d]; }
    MatStencil row = {0}, col[1 + 2 * PT_MAXDIM];
    PetscScalar val[1 + 2 * PT_MAXDIM];
    PetscInt *rp[3] = {&row.i, &row.j, &row.k};
    for (int d = 0; d < nd; ++d) *rp[nd - 1 - d] = (PetscInt)g[d];
    double diag = 1.0;
    int nc = 1;
    for (int d = 0; d < nd; ++d) {
      const double w = im->theta * s->c[d];
      for (int side = 0; side < 2; ++side) {
        int64_t gn = g[d] + (side ? 1 : -1);
        diag += w;
        if (gn < 0 || gn >= dc->gsize[d]) {
          if (p->bc[d][side] == HEAT_BC_DIRICHLET) diag += w;
          else if (p->bc[d][side] == HEAT_BC_NEUMANN) diag -= w;
          if (p->bc[d][side] != HEAT_BC_PERIODIC) continue;
        }
        col[nc] = row;
        PetscInt *cp[3] = {&col[nc].i, &col[nc].j, &col[nc].k};
        *cp[nd - 1 - d] = (PetscInt)gn;  /* the DMDA wraps periodic indices */
        val[nc++] = -w;
      }
    }
    col[0] = row;
    val[0] = diag;
    HEAT_PETSC(MatSetValuesStencil(im->A, 1, &row, nc, col, val, ADD_VALUES));
  }
  HEAT_PETSC(MatAssemblyBegin(im->A, MAT_FINAL_ASSEMBLY));
  HEAT_PETSC(MatAssemblyEnd(im->A, MAT_FINAL_ASSEMBLY));
  return PT_OK;
}

/* Assembles (I - theta dt alpha L) and the KSP (options from the PETSc database, so
 * -ksp_type/-pc_type/-ksp_monitor work). PETSc must be initialised. */
static int setup(heat_state *s, heat_implicit *im) {
  im->theta = s->p->scheme == HEAT_CRANK_NICOLSON ? 0.5 : 1.0;
  PT_TRY(create_dmda(s, &im->da));
  PT_TRY(assemble(im, s));
  HEAT_PETSC(DMCreateGlobalVector(im->da, &im->x));
  HEAT_PETSC(VecDuplicate(im->x, &im->b));
  HEAT_PETSC(KSPCreate(s->decomp->cart, &im->ksp));
  HEAT_PETSC(KSPSetOperators(im->ksp, im->A, im->A));
  /* The operator is symmetric positive definite: CG with Jacobi is a sound default. */
  HEAT_PETSC(KSPSetType(im->ksp, KSPCG));
  PC pc;
  HEAT_PETSC(KSPGetPC(im->ksp, &pc));
  HEAT_PETSC(PCSetType(pc, PCJACOBI));
  HEAT_PETSC(KSPSetTolerances(im->ksp, s->p->ksp_rtol, ksp_atol, PETSC_DEFAULT, ksp_max_iterations));
  HEAT_PETSC(KSPSetInitialGuessNonzero(im->ksp, PETSC_TRUE));
  HEAT_PETSC(KSPSetFromOptions(im->ksp));
  return PT_OK;
}

static void destroy(void **impl) {
  heat_implicit *im = *impl;
  if (!im) return;
  for (int k = 0; k < 2; ++k) pt_halo_destroy(&im->halo[k]);
  KSPDestroy(&im->ksp);
  VecDestroy(&im->x);
  VecDestroy(&im->b);
  MatDestroy(&im->A);
  DMDestroy(&im->da);
  free(im);
  *impl = NULL;
}

static int create(heat_state *s, void **impl) {
  MPI_Comm cart = s->decomp->cart;
  heat_implicit *im = calloc(1, sizeof *im);
  *impl = im;
  PT_TRY(pt_agree(cart, im ? PT_OK : PT_ERROR(PT_ERR_NOMEM, "out of memory")));
  PT_TRY(heat_halos_create(s, im->halo));
  return pt_agree(cart, setup(s, im));
}

/* Copies owned cells between a field and a DMDA vector (same block: a local copy). If
 * `dirichlet` is set, adds the Dirichlet faces' theta dt alpha 2v/h^2 to the vector. */
static int field_to_vec(const heat_state *s, const pt_field *f, Vec v, double theta) {
  PetscScalar *a;
  HEAT_PETSC(VecGetArray(v, &a));
  const int nd = f->ndim;
  const int64_t total = pt_decomp_local_cells(s->decomp);
  for (int64_t c = 0; c < total; ++c) {
    int64_t idx[PT_MAXDIM], r = c;
    for (int d = nd - 1; d >= 0; --d) { idx[d] = r % f->n[d]; r /= f->n[d]; }
    double val = f->data[pt_field_offset(f, idx)];
    for (int d = 0; theta > 0 && d < nd; ++d)
      for (int side = 0; side < 2; ++side) {
        int64_t g = s->decomp->lo[d] + idx[d];
        int edge = side ? g == s->decomp->gsize[d] - 1 : g == 0;
        if (edge && s->p->bc[d][side] == HEAT_BC_DIRICHLET)
          val += theta * s->c[d] * 2.0 * s->p->bc_value[d][side];
      }
    a[c] = val;
  }
  HEAT_PETSC(VecRestoreArray(v, &a));
  return PT_OK;
}

static int vec_to_field(Vec v, pt_field *f) {
  const PetscScalar *a;
  HEAT_PETSC(VecGetArrayRead(v, &a));
  pt_field_unpack_owned(f, a);
  HEAT_PETSC(VecRestoreArrayRead(v, &a));
  return PT_OK;
}

static int step(void *impl, heat_state *s) {
  heat_implicit *im = impl;
  const heat_params *p = s->p;
  pt_field *in = s->u[s->cur], *out = s->u[1 - s->cur];
  const double q = s->q;
  if (im->theta < 1) {
    /* Crank-Nicolson's explicit half: the ghosts carry the Dirichlet values (2v - u), so
     * this half includes its share of the boundary term. */
    pt_timers_start(s->timers, s->t_halo);
    PT_TRY(pt_halo_exchange(im->halo[s->cur]));
    pt_timers_stop(s->timers, s->t_halo);
  }
  pt_timers_start(s->timers, s->t_compute);
  if (im->theta < 1) {
    heat_apply_bc(p, in, 0);
    double half[PT_MAXDIM];
    int64_t lo[PT_MAXDIM], hi[PT_MAXDIM];
    for (int d = 0; d < in->ndim; ++d) { half[d] = 0.5 * s->c[d]; lo[d] = 0; hi[d] = in->n[d]; }
    heat_explicit_box(in, out, half, q, lo, hi);
  } else {
    int64_t lo[PT_MAXDIM], hi[PT_MAXDIM];
    double zero[PT_MAXDIM] = {0, 0, 0};
    for (int d = 0; d < in->ndim; ++d) { lo[d] = 0; hi[d] = in->n[d]; }
    heat_explicit_box(in, out, zero, q, lo, hi);
  }
  PT_TRY(field_to_vec(s, out, im->b, im->theta));
  PT_TRY(field_to_vec(s, in, im->x, 0));
  HEAT_PETSC(KSPSolve(im->ksp, im->b, im->x));
  KSPConvergedReason reason;
  PetscInt its;
  HEAT_PETSC(KSPGetConvergedReason(im->ksp, &reason));
  HEAT_PETSC(KSPGetIterationNumber(im->ksp, &its));
  if (reason < 0)
    return PT_ERROR(PT_ERR_RUNTIME, "linear solve diverged at step %lld (%s after %d iterations)",
                    (long long)s->step + 1, KSPConvergedReasons[reason], (int)its);
  PT_TRY(vec_to_field(im->x, out));
  pt_timers_stop(s->timers, s->t_compute);
  return PT_OK;
}

static int serves(const heat_params *p, const pt_device_info *dev) {
  (void)dev;
  return p->scheme != HEAT_EXPLICIT;
}

const heat_backend heat_backend_implicit = {"petsc", serves, create, destroy, step, NULL, NULL};
