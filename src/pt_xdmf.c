/* pt_xdmf: the XDMF sidecar of a series (see pt_xdmf.h). */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "pt_xdmf.h"

#include <ctype.h>
#include <dirent.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pt_error.h"
#include "pt_h5.h"
#include "pt_io.h"

/* ---- XDMF sidecar -------------------------------------------------------------------- */

typedef struct sbuf {
  char *s;
  size_t len, cap;
  int failed;
} sbuf;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void sb_printf(sbuf *b, const char *fmt, ...) {
  if (b->failed) return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
      b->failed = 1;
      return;
    }
    if (b->s && b->len + (size_t)n < b->cap) {
      b->len += (size_t)n;
      return;
    }
    size_t cap = (b->cap ? 2 * b->cap : 4096) + (size_t)n;
    char *p = realloc(b->s, cap);
    if (!p) {
      b->failed = 1;
      return;
    }
    b->s = p;
    b->cap = cap;
  }
}

/* File names are the only free text that reaches the XML. */
static void sb_escaped(sbuf *b, const char *s) {
  for (; *s; ++s) {
    switch (*s) {
      case '&': sb_printf(b, "&amp;"); break;
      case '<': sb_printf(b, "&lt;"); break;
      case '>': sb_printf(b, "&gt;"); break;
      case '"': sb_printf(b, "&quot;"); break;
      default: sb_printf(b, "%c", *s);
    }
  }
}

typedef struct xmesh {
  char name[PT_IO_NAMELEN];
  int nd;
  hsize_t dims[PT_MAXDIM];
  double spacing[PT_MAXDIM], origin[PT_MAXDIM];
  int done;
} xmesh;

typedef struct xscan {
  hid_t loc;
  xmesh *m;
  int n, cap;
  char (*names)[PT_IO_NAMELEN];  /* species */
  int nnames, capnames;
} xscan;

static herr_t scan_mesh(hid_t g, const char *name, const H5L_info_t *info, void *data) {
  (void)info;
  xscan *x = data;
  if (!pt_h5_valid_name(name)) return 0;
  hid_t d = H5Dopen2(g, name, H5P_DEFAULT);
  if (d < 0) return 0;  /* a vector mesh group: not shown */
  hid_t space = H5Dget_space(d);
  int nd = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
  if (nd >= 1 && nd <= PT_MAXDIM) {
    if (x->n == x->cap) {
      int cap = x->cap ? 2 * x->cap : 8;
      xmesh *p = realloc(x->m, (size_t)cap * sizeof *p);
      if (!p) {
        H5Sclose(space);
        H5Dclose(d);
        return -1;
      }
      x->m = p;
      x->cap = cap;
    }
    xmesh *m = &x->m[x->n++];
    memset(m, 0, sizeof *m);
    snprintf(m->name, sizeof m->name, "%s", name);
    m->nd = nd;
    H5Sget_simple_extent_dims(space, m->dims, NULL);
    double off[PT_MAXDIM] = {0, 0, 0}, pos[PT_MAXDIM] = {0, 0, 0};
    for (int a = 0; a < nd; ++a) m->spacing[a] = 1.0;
    pt_h5_read_doubles(d, "gridSpacing", nd, m->spacing);
    pt_h5_read_doubles(d, "gridGlobalOffset", nd, off);
    pt_h5_read_doubles(d, "position", nd, pos);
    for (int a = 0; a < nd; ++a) m->origin[a] = off[a] + pos[a] * m->spacing[a];
  }
  if (space >= 0) H5Sclose(space);
  H5Dclose(d);
  return 0;
}

static herr_t scan_name(hid_t g, const char *name, const H5L_info_t *info, void *data) {
  (void)g;
  (void)info;
  xscan *x = data;
  if (!pt_h5_valid_name(name)) return 0;
  if (x->nnames == x->capnames) {
    int cap = x->capnames ? 2 * x->capnames : 8;
    char(*p)[PT_IO_NAMELEN] = realloc(x->names, (size_t)cap * sizeof *p);
    if (!p) return -1;
    x->names = p;
    x->capnames = cap;
  }
  snprintf(x->names[x->nnames++], PT_IO_NAMELEN, "%s", name);
  return 0;
}

static void sb_hdf_item(sbuf *b, const char *href, const char *dset, const char *numtype,
                        int nd, const hsize_t *dims) {
  sb_printf(b, "<DataItem Format=\"HDF\" NumberType=\"%s\" Precision=\"8\" Dimensions=\"", numtype);
  for (int a = 0; a < nd; ++a) sb_printf(b, a ? " %llu" : "%llu", (unsigned long long)dims[a]);
  sb_printf(b, "\">");
  sb_escaped(b, href);
  sb_printf(b, ":%s</DataItem>\n", dset);
}

static int same_geometry(const xmesh *a, const xmesh *b) {
  if (a->nd != b->nd) return 0;
  for (int i = 0; i < a->nd; ++i)
    if (a->dims[i] != b->dims[i] || a->spacing[i] != b->spacing[i] || a->origin[i] != b->origin[i])
      return 0;
  return 1;
}

/* One Uniform grid per distinct mesh geometry, holding every record that shares it. 2D
 * meshes become 3DCoRectMesh with a singleton slowest axis: ParaView puts a
 * 2DCoRectMesh in the YZ plane, and we want the fastest axis along X. */
static int xdmf_meshes(sbuf *b, xscan *x, const char *href, const char *base) {
  int grids = 0;
  for (int i = 0; i < x->n; ++i) {
    xmesh *m = &x->m[i];
    if (m->done) continue;
    hsize_t d3[3] = {1, 1, 1};
    double o3[3] = {0, 0, 0}, s3[3] = {1, 1, 1};
    for (int a = 0; a < m->nd; ++a) {
      d3[3 - m->nd + a] = m->dims[a];
      o3[3 - m->nd + a] = m->origin[a];
      s3[3 - m->nd + a] = m->spacing[a];
    }
    sb_printf(b, "<Grid Name=\"%s\" GridType=\"Uniform\">\n", m->name);
    sb_printf(b, "<Topology TopologyType=\"3DCoRectMesh\" Dimensions=\"%llu %llu %llu\"/>\n",
              (unsigned long long)d3[0], (unsigned long long)d3[1], (unsigned long long)d3[2]);
    /* Origin and spacing in the order of the dimensions, slowest axis first (Z Y X). */
    sb_printf(b,
              "<Geometry GeometryType=\"ORIGIN_DXDYDZ\">\n"
              "<DataItem Format=\"XML\" NumberType=\"Float\" Precision=\"8\" "
              "Dimensions=\"3\">%.17g %.17g %.17g</DataItem>\n"
              "<DataItem Format=\"XML\" NumberType=\"Float\" Precision=\"8\" "
              "Dimensions=\"3\">%.17g %.17g %.17g</DataItem>\n"
              "</Geometry>\n",
              o3[0], o3[1], o3[2], s3[0], s3[1], s3[2]);
    for (int j = i; j < x->n; ++j) {
      if (x->m[j].done || !same_geometry(m, &x->m[j])) continue;
      x->m[j].done = 1;
      char dset[256];
      snprintf(dset, sizeof dset, "%s/meshes/%s", base, x->m[j].name);
      sb_printf(b, "<Attribute Name=\"%s\" AttributeType=\"Scalar\" Center=\"Node\">\n",
                x->m[j].name);
      sb_hdf_item(b, href, dset, "Float", 3, d3);
      sb_printf(b, "</Attribute>\n");
    }
    sb_printf(b, "</Grid>\n");
    ++grids;
  }
  return grids;
}

/* Vector components of record `rec` of a species, as a JOIN of its x, y, z datasets. */
static int xdmf_components(sbuf *b, hid_t sp, const char *rec, const char *href,
                           const char *spbase, hsize_t n) {
  int nc = 0;
  char name[2 * PT_IO_NAMELEN];
  for (; nc < 3; ++nc) {
    snprintf(name, sizeof name, "%s/%s", rec, pt_h5_axis_names[nc]);
    if (!pt_h5_exists(sp, name) || H5Oexists_by_name(sp, name, H5P_DEFAULT) <= 0) break;
    H5O_info_t info;
    if (H5Oget_info_by_name(sp, name, &info, H5P_DEFAULT) < 0 || info.type != H5O_TYPE_DATASET)
      break;
  }
  if (nc < 2) return nc;
  sb_printf(b, "<DataItem ItemType=\"Function\" Function=\"%s\" Dimensions=\"%llu %d\">\n",
            nc == 3 ? "JOIN($0, $1, $2)" : "JOIN($0, $1)", (unsigned long long)n, nc);
  for (int c = 0; c < nc; ++c) {
    char dset[256];
    snprintf(dset, sizeof dset, "%s/%s/%s", spbase, rec, pt_h5_axis_names[c]);
    sb_hdf_item(b, href, dset, "Float", 1, &n);
  }
  sb_printf(b, "</DataItem>\n");
  return nc;
}

/* One Polyvertex grid for a species whose positions have 2 or 3 components. */
static int xdmf_species(sbuf *b, hid_t parts, const char *species, const char *href,
                        const char *base) {
  hid_t sp = H5Gopen2(parts, species, H5P_DEFAULT);
  if (sp < 0) return 0;
  hsize_t n = 0;
  hid_t d = pt_h5_exists(sp, "id") ? H5Dopen2(sp, "id", H5P_DEFAULT) : -1;
  if (d >= 0) {
    hid_t s = H5Dget_space(d);
    if (s >= 0 && H5Sget_simple_extent_ndims(s) == 1) H5Sget_simple_extent_dims(s, &n, NULL);
    if (s >= 0) H5Sclose(s);
    H5Dclose(d);
  }
  char spbase[256];
  snprintf(spbase, sizeof spbase, "%s/particles/%s", base, species);
  sbuf geo = {0};
  int nc = n > 0 ? xdmf_components(&geo, sp, "position", href, spbase, n) : 0;
  if (nc < 2 || geo.failed) {
    free(geo.s);
    H5Gclose(sp);
    return 0;
  }
  sb_printf(b, "<Grid Name=\"%s\" GridType=\"Uniform\">\n", species);
  sb_printf(
      b,
      "<Topology TopologyType=\"Polyvertex\" NumberOfElements=\"%llu\" NodesPerElement=\"1\"/>\n",
      (unsigned long long)n);
  sb_printf(b, "<Geometry GeometryType=\"%s\">\n%s</Geometry>\n", nc == 3 ? "XYZ" : "XY", geo.s);
  free(geo.s);
  xscan recs = {0};
  hsize_t idx = 0;
  H5Literate(sp, H5_INDEX_NAME, H5_ITER_INC, &idx, scan_name, &recs);
  for (int r = 0; r < recs.nnames; ++r) {
    const char *rec = recs.names[r];
    H5O_info_t info;
    if (!strcmp(rec, "position") || !strcmp(rec, "positionOffset") ||
        !strcmp(rec, "particlePatches") || H5Oget_info_by_name(sp, rec, &info, H5P_DEFAULT) < 0)
      continue;
    char dset[384];
    snprintf(dset, sizeof dset, "%s/%s", spbase, rec);
    if (info.type == H5O_TYPE_DATASET) {
      /* ids are below 2^63 in practice; VTK's XDMF reader has no unsigned 64-bit type. */
      sb_printf(b, "<Attribute Name=\"%s\" AttributeType=\"Scalar\" Center=\"Node\">\n", rec);
      sb_hdf_item(b, href, dset, strcmp(rec, "id") ? "Float" : "Int", 1, &n);
      sb_printf(b, "</Attribute>\n");
    } else if (info.type == H5O_TYPE_GROUP) {
      sbuf v = {0};
      int vc = xdmf_components(&v, sp, rec, href, spbase, n);
      if (vc == 3 && !v.failed)
        sb_printf(
            b, "<Attribute Name=\"%s\" AttributeType=\"Vector\" Center=\"Node\">\n%s</Attribute>\n",
            rec, v.s);
      free(v.s);
    }
  }
  free(recs.names);
  sb_printf(b, "</Grid>\n");
  H5Gclose(sp);
  return 1;
}

/* Appends the grids of one step to `b`: a Uniform grid, or a Spatial collection when
 * the step holds several geometries or species. */
static void xdmf_step(sbuf *b, hid_t file, int64_t step, const char *href) {
  char base[64];
  snprintf(base, sizeof base, "/data/%" PRId64, step);
  hid_t g = H5Gopen2(file, base, H5P_DEFAULT);
  if (g < 0) return;
  double time = (double)step;
  pt_h5_read_doubles(g, "time", 1, &time);
  sbuf body = {0};
  int grids = 0;
  xscan x = {0};
  hsize_t idx = 0;
  if (pt_h5_exists(g, "meshes")) {
    H5Literate_by_name(g, "meshes", H5_INDEX_NAME, H5_ITER_INC, &idx, scan_mesh, &x, H5P_DEFAULT);
    grids += xdmf_meshes(&body, &x, href, base);
  }
  if (pt_h5_exists(g, "particles")) {
    hid_t parts = H5Gopen2(g, "particles", H5P_DEFAULT);
    idx = 0;
    if (parts >= 0) H5Literate(parts, H5_INDEX_NAME, H5_ITER_INC, &idx, scan_name, &x);
    for (int i = 0; parts >= 0 && i < x.nnames; ++i)
      grids += xdmf_species(&body, parts, x.names[i], href, base);
    if (parts >= 0) H5Gclose(parts);
  }
  if (grids == 1) {
    /* A lone grid carries the time itself: insert <Time> after its opening tag. */
    char *nl = body.s ? strchr(body.s, '\n') : NULL;
    if (nl) {
      sb_printf(b, "%.*s\n<Time Value=\"%.17g\"/>\n%s", (int)(nl - body.s), body.s, time, nl + 1);
    }
  } else if (grids > 1) {
    sb_printf(b,
              "<Grid Name=\"step %" PRId64
              "\" GridType=\"Collection\" CollectionType=\"Spatial\">\n"
              "<Time Value=\"%.17g\"/>\n%s</Grid>\n",
              step, time, body.s);
  }
  if (body.failed) b->failed = 1;
  free(body.s);
  free(x.m);
  free(x.names);
  H5Gclose(g);
}

typedef struct stepfile {
  int64_t step;
  char file[NAME_MAX + 1];  /* a directory entry's name */
} stepfile;

static int cmp_stepfile(const void *a, const void *b) {
  return pt_h5_cmp_i64(&((const stepfile *)a)->step, &((const stepfile *)b)->step);
}

/* The (step, file) pairs of a series: every /data/<step> of every file. */
static int series_steps(const char *path, stepfile **out, int *nout) {
  *out = NULL;
  *nout = 0;
  const char *slash = strrchr(path, '/');
  const char *fname = slash ? slash + 1 : path;
  char dir[PT_PATH_MAX];
  if (slash == path)
    PT_TRY(pt_io_path(dir, sizeof dir, NULL, "/"));
  else
    PT_TRY(pt_io_path(dir, sizeof dir, NULL, "%.*s", slash ? (int)(slash - path) : 1,
                      slash ? path : "."));
  char **files = NULL;
  int nfiles = 0;
  const char *t = strstr(fname, "%T");
  if (!t) {
    files = malloc(sizeof *files);
    if (!files) return PT_ERROR(PT_ERR_NOMEM, "out of memory");
    files[nfiles++] = strdup(fname);
  } else {
    size_t pre = (size_t)(t - fname), post = strlen(t + 2);
    DIR *dd = opendir(dir);
    if (!dd) return PT_ERROR(PT_ERR_IO, "%s: cannot list the series' files", path);
    struct dirent *e;
    while ((e = readdir(dd))) {
      size_t len = strlen(e->d_name);
      if (len <= pre + post || strncmp(e->d_name, fname, pre) ||
          strcmp(e->d_name + len - post, t + 2))
        continue;
      size_t k = pre;
      while (k < len - post && isdigit((unsigned char)e->d_name[k])) ++k;
      if (k != len - post) continue;
      char **p = realloc(files, (size_t)(nfiles + 1) * sizeof *p);
      if (!p) break;
      files = p;
      files[nfiles++] = strdup(e->d_name);
    }
    closedir(dd);
  }
  int cap = 0, err = PT_OK;
  for (int i = 0; i < nfiles; ++i) {
    char full[PT_PATH_MAX];
    if (!err) err = pt_io_path(full, sizeof full, NULL, "%s/%s", dir, files[i]);
    hid_t f = err ? -1 : H5Fopen(full, H5F_ACC_RDONLY, H5P_DEFAULT);
    pt_h5_steplist l = {0};
    if (f >= 0 && pt_h5_list_steps(f, &l) == 0) {
      for (int k = 0; k < l.n; ++k) {
        if (*nout == cap) {
          cap = cap ? 2 * cap : 64;
          stepfile *p = realloc(*out, (size_t)cap * sizeof *p);
          if (!p) break;
          *out = p;
        }
        (*out)[*nout].step = l.v[k];
        snprintf((*out)[*nout].file, sizeof(*out)[*nout].file, "%s", files[i]);
        ++*nout;
      }
    }
    free(l.v);
    if (f >= 0) H5Fclose(f);
    free(files[i]);
  }
  free(files);
  if (err) {
    free(*out);
    *out = NULL;
    *nout = 0;
  }
  qsort(*out, (size_t)*nout, sizeof **out, cmp_stepfile);
  return err;
}

/* Sidecar path: the series path with "_%T" (or "%T") and the extension replaced. */
int pt_xdmf_paths(const char *path, char *xmf, char *tmp) {
  char base[PT_PATH_MAX];
  PT_TRY(pt_io_path(base, sizeof base, NULL, "%s", path));
  char *t = strstr(base, "%T");
  if (t) {
    char *cut = t;
    while (cut > base && (cut[-1] == '_' || cut[-1] == '-' || cut[-1] == '.')) --cut;
    memmove(cut, t + 2, strlen(t + 2) + 1);
  }
  char *slash = strrchr(base, '/'), *dot = strrchr(base, '.');
  if (dot && (!slash || dot > slash)) *dot = '\0';
  PT_TRY(pt_io_path(xmf, PT_PATH_MAX, "XDMF sidecar", "%s.xmf", base));
  return pt_io_path(tmp, PT_PATH_MAX, "XDMF sidecar", "%s.tmp", xmf);
}

int pt_xdmf_write(MPI_Comm comm, const char *path) {
  pt_h5_quiet();
  int rank, err = PT_OK;
  PT_MPI(MPI_Comm_rank(comm, &rank));
  /* Every rank has closed the file: rank 0 may now open it with the serial driver. */
  PT_MPI(MPI_Barrier(comm));
  if (rank == 0) {
    stepfile *steps;
    int n;
    sbuf b = {0};
    const char *slash = strrchr(path, '/');
    const char *sname = slash ? slash + 1 : path;
    char xmf[PT_PATH_MAX], tmp[PT_PATH_MAX];
    err = pt_xdmf_paths(path, xmf, tmp);
    if (!err) err = series_steps(path, &steps, &n);
    if (!err) {
      sb_printf(&b, "<?xml version=\"1.0\" ?>\n<!DOCTYPE Xdmf SYSTEM \"Xdmf.dtd\" []>\n"
                    "<Xdmf Version=\"2.0\">\n<Domain>\n"
                    "<Grid Name=\"");
      sb_escaped(&b, sname);
      sb_printf(&b, "\" GridType=\"Collection\" CollectionType=\"Temporal\">\n");
      for (int i = 0; i < n; ++i) {
        char full[PT_PATH_MAX];
        /* series_steps opened each of these names already: they fit. */
        if (pt_io_path(full, sizeof full, NULL, "%.*s%s", slash ? (int)(slash - path + 1) : 0,
                       path, steps[i].file))
          continue;
        hid_t f = H5Fopen(full, H5F_ACC_RDONLY, H5P_DEFAULT);
        /* HDF5 paths are relative to the sidecar: the pair can be moved together. */
        if (f >= 0) xdmf_step(&b, f, steps[i].step, steps[i].file);
        if (f >= 0) H5Fclose(f);
      }
      sb_printf(&b, "</Grid>\n</Domain>\n</Xdmf>\n");
      free(steps);
      FILE *out = b.failed ? NULL : fopen(tmp, "w");
      int bad = !out;
      if (out) {
        bad = fwrite(b.s, 1, b.len, out) != b.len;
        bad |= fclose(out) != 0;
      }
      if (bad || rename(tmp, xmf) != 0)
        err = PT_ERROR(PT_ERR_IO, "%s: cannot write the XDMF sidecar", xmf);
      free(b.s);
    }
  }
  return pt_agree(comm, err);
}
