#include "nbody_ic.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "pt_error.h"
#include "pt_reduce.h"

/* SplitMix64's finaliser (Steele, Lea & Flood 2014): a bijective 64-bit mix, chained so
 * that the seed, the id and the draw number all reach every output bit. */
static uint64_t mix64(uint64_t z) {
  z += UINT64_C(0x9e3779b97f4a7c15);
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

double nbody_random(uint64_t seed, uint64_t id, uint64_t k) {
  uint64_t h = mix64(mix64(mix64(seed) ^ id) ^ k);
  return (double)(h >> 11) * 0x1p-53;
}

double nbody_kepler_period(const nbody_params *prm) {
  double a = prm->semi_major;
  return 2 * M_PI * sqrt(a * a * a / (prm->G * prm->mass));
}

/* A unit vector uniform on the sphere from two deviates. */
static void isotropic(double u1, double u2, double len, double out[3]) {
  double z = (1 - 2 * u1) * len, rxy = sqrt(fmax(len * len - z * z, 0)), phi = 2 * M_PI * u2;
  out[0] = rxy * cos(phi);
  out[1] = rxy * sin(phi);
  out[2] = z;
}

/* Aarseth, Henon & Wielen (1974), A&A 37, 183, appendix: radius from the cumulative mass
 * M(r) = r^3 (1 + r^2)^(-3/2) with a = 1, speed by von Neumann rejection from
 * g(q) = q^2 (1 - q^2)^(7/2) (max < 0.1) times the local escape speed. Then scaled to
 * N-body units, in which the Plummer scale radius is 3 pi / 16. */
static void plummer_body(uint64_t seed, uint64_t id, double x[3], double v[3], double G) {
  uint64_t k = 0;
  double m;
  do m = nbody_random(seed, id, k++); while (m > 0.999 || m == 0);  /* 99.9% mass cut */
  double r = 1 / sqrt(pow(m, -2.0 / 3.0) - 1);
  isotropic(nbody_random(seed, id, k), nbody_random(seed, id, k + 1), r, x);
  k += 2;
  double q, g;
  do {
    q = nbody_random(seed, id, k++);
    g = 0.1 * nbody_random(seed, id, k++);
  } while (g > q * q * pow(1 - q * q, 3.5));
  double ve = sqrt(2.0) * pow(1 + r * r, -0.25);
  isotropic(nbody_random(seed, id, k), nbody_random(seed, id, k + 1), q * ve, v);
  const double rs = 3 * M_PI / 16, vs = sqrt(G / rs);
  for (int c = 0; c < 3; ++c) {
    x[c] *= rs;
    v[c] *= vs;
  }
}

/* Uniform in a ball: r = R u^(1/3), isotropic direction, at rest. */
static void sphere_body(uint64_t seed, uint64_t id, double R, double x[3], double v[3]) {
  isotropic(nbody_random(seed, id, 1), nbody_random(seed, id, 2), R * cbrt(nbody_random(seed, id, 0)), x);
  v[0] = v[1] = v[2] = 0;
}

/* Shifts positions and velocities by the centre of mass and its velocity, summed
 * reproducibly so the shift is the same on any rank count. */
static int to_com_frame(pt_particles *p) {
  double *w = malloc(sizeof(double) * (size_t)(p->n ? p->n : 1));
  int err = pt_agree(p->comm, w ? PT_OK : PT_ERROR(PT_ERR_NOMEM, "out of memory"));
  double mtot = 0, mx[6];
  if (!err) err = pt_reduce_sum(p->comm, p->mass, (size_t)p->n, &mtot);
  for (int q = 0; !err && q < 6; ++q) {
    const double *a = q < 3 ? p->x[q] : p->v[q - 3];
    for (int64_t i = 0; i < p->n; ++i) w[i] = p->mass[i] * a[i];
    err = pt_reduce_sum(p->comm, w, (size_t)p->n, &mx[q]);
  }
  free(w);
  PT_TRY(err);
  for (int q = 0; q < 6; ++q) {
    double *a = q < 3 ? p->x[q] : p->v[q - 3], shift = mx[q] / mtot;
    for (int64_t i = 0; i < p->n; ++i) a[i] -= shift;
  }
  return PT_OK;
}

static void kepler(const nbody_params *prm, pt_particles *p) {
  const double M = prm->mass, q = prm->mass_ratio, a = prm->semi_major, e = prm->ecc;
  const double m[2] = {M / (1 + q), M * q / (1 + q)};
  /* Relative orbit at pericentre: r = a (1 - e), vis-viva speed sqrt(GM (1+e)/(a(1-e))). */
  const double r = a * (1 - e), vr = sqrt(prm->G * M * (1 + e) / r);
  for (int64_t i = 0; i < p->n; ++i) {
    int b = (int)(p->offset + i);
    double share = b == 0 ? -m[1] / M : m[0] / M;
    p->mass[i] = m[b];
    p->x[0][i] = share * r;
    p->v[1][i] = share * vr;
  }
}

static void figure8(pt_particles *p) {
  /* Chenciner & Montgomery (2000), Ann. Math. 152, 881; numbers from Simo's computation
   * as given there: x1 = -x2, x3 = 0, v1 = v2 = -v3 / 2, G = m = 1. */
  static const double x1[2] = {0.97000436, -0.24308753}, v3[2] = {-0.93240737, -0.86473146};
  for (int64_t i = 0; i < p->n; ++i) {
    int b = (int)(p->offset + i);
    p->mass[i] = 1.0;
    for (int c = 0; c < 2; ++c) {
      p->x[c][i] = b == 0 ? x1[c] : b == 1 ? -x1[c] : 0.0;
      p->v[c][i] = b == 2 ? v3[c] : -0.5 * v3[c];
    }
  }
}

int nbody_ic_create(MPI_Comm comm, const nbody_params *prm, pt_particles **out) {
  *out = NULL;
  int size;
  MPI_Comm_size(comm, &size);
  if (prm->init == NBODY_INIT_FILE) {
    PT_TRY(pt_particles_read(comm, prm->init_file, prm->init_step, prm->init_species, out));
    if ((*out)->ntotal < size) {
      int err = PT_ERROR(PT_ERR_INPUT, "%s: %lld bodies cannot be split over %d ranks (at least "
                         "one body per rank)", prm->init_file, (long long)(*out)->ntotal, size);
      pt_particles_destroy(out);
      return err;
    }
    return PT_OK;
  }
  pt_particles *p;
  PT_TRY(pt_particles_create(comm, prm->n, &p));
  int err = PT_OK;
  switch (prm->init) {
    case NBODY_INIT_KEPLER: kepler(prm, p); break;
    case NBODY_INIT_FIGURE8: figure8(p); break;
    default:
      for (int64_t i = 0; i < p->n; ++i) {
        double x[3], v[3];
        if (prm->init == NBODY_INIT_PLUMMER)
          plummer_body(prm->seed, p->id[i], x, v, prm->G);
        else
          sphere_body(prm->seed, p->id[i], prm->radius, x, v);
        p->mass[i] = (prm->init == NBODY_INIT_PLUMMER ? 1.0 : prm->mass) / (double)prm->n;
        for (int c = 0; c < 3; ++c) {
          p->x[c][i] = x[c];
          p->v[c][i] = v[c];
        }
      }
      err = to_com_frame(p);
  }
  if (err) pt_particles_destroy(&p);
  *out = p;
  return err;
}
