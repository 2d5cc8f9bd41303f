#include "config.h"
#include "pt_opencl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pt_error.h"

void pt_opencl_options_default(pt_opencl_options *o) {
  memset(o, 0, sizeof *o);
  o->device = -1;
}

int pt_opencl_read(pt_config *cfg, pt_opencl_options *o) {
  int64_t v;
  const char *s;
  pt_opencl_options_default(o);
  o->cfg = cfg;
  PT_TRY(pt_config_get_int(cfg, "opencl.platform", 0, 0, 1 << 20, &v));
  o->platform = (int)v;
  PT_TRY(pt_config_get_int(cfg, "opencl.device", -1, -1, 1 << 20, &v));
  o->device = (int)v;
  PT_TRY(pt_config_get_string(cfg, "opencl.build_options", "", &s));
  if (strlen(s) >= sizeof o->build_options)
    return pt_config_error(cfg, "opencl.build_options", "longer than %zu characters",
                           sizeof o->build_options - 1);
  snprintf(o->build_options, sizeof o->build_options, "%s", s);
  return PT_OK;
}

int pt_opencl_check_deck(const pt_opencl_options *o) {
  int id, count;
  char name[256];
  const int err = pt_opencl_pick(o, 0, &id, &count, name, sizeof name, NULL);
  if (err != PT_ERR_RUNTIME) return err;
  /* The machine or the build lacks it: the deck asked for it in run.backend. */
  char why[1024];
  snprintf(why, sizeof why, "%s", pt_error_message());
  pt_error_clear();
  if (o->cfg) return pt_config_error(o->cfg, "run.backend", "'opencl' needs a usable OpenCL device (%s)", why);
  return PT_ERROR(PT_ERR_INPUT, "run.backend: 'opencl' needs a usable OpenCL device (%s)", why);
}

#ifdef PT_HAVE_OPENCL
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>

/* An input error about `key`, with its deck line when the options came from a deck. */
static int blame(const pt_opencl_options *o, const char *key, const char *what) {
  if (o->cfg) return pt_config_error(o->cfg, key, "%s", what);
  return PT_ERROR(PT_ERR_INPUT, "%s: %s", key, what);
}

/* pt_opencl_faces_source: the face kernel (src/pt_opencl_faces.cl), made into a C string
 * at build time: nothing to install or find at run time. */
#include "pt_opencl_faces.cl.inc"

struct pt_opencl {
  pt_opencl_options opt;
  cl_device_id device;
  cl_context context;
  cl_command_queue queue[2];
  cl_program faces_program;  /* built at the first pt_opencl_faces_create */
};

int pt_opencl_built(void) { return 1; }

const char *pt_opencl_version(void) {
  static char v[64];
  snprintf(v, sizeof v, "OpenCL (ICD loader, headers %d.%d)", CL_TARGET_OPENCL_VERSION / 100,
           CL_TARGET_OPENCL_VERSION % 100 / 10);
  return v;
}

const char *pt_opencl_error_name(int err) {
  static const struct { int code; const char *name; } names[] = {
      {CL_DEVICE_NOT_FOUND, "CL_DEVICE_NOT_FOUND"},
      {CL_DEVICE_NOT_AVAILABLE, "CL_DEVICE_NOT_AVAILABLE"},
      {CL_COMPILER_NOT_AVAILABLE, "CL_COMPILER_NOT_AVAILABLE"},
      {CL_MEM_OBJECT_ALLOCATION_FAILURE, "CL_MEM_OBJECT_ALLOCATION_FAILURE"},
      {CL_OUT_OF_RESOURCES, "CL_OUT_OF_RESOURCES"},
      {CL_OUT_OF_HOST_MEMORY, "CL_OUT_OF_HOST_MEMORY"},
      {CL_BUILD_PROGRAM_FAILURE, "CL_BUILD_PROGRAM_FAILURE"},
      {CL_INVALID_VALUE, "CL_INVALID_VALUE"},
      {CL_INVALID_PLATFORM, "CL_INVALID_PLATFORM"},
      {CL_INVALID_DEVICE, "CL_INVALID_DEVICE"},
      {CL_INVALID_CONTEXT, "CL_INVALID_CONTEXT"},
      {CL_INVALID_COMMAND_QUEUE, "CL_INVALID_COMMAND_QUEUE"},
      {CL_INVALID_MEM_OBJECT, "CL_INVALID_MEM_OBJECT"},
      {CL_INVALID_BUILD_OPTIONS, "CL_INVALID_BUILD_OPTIONS"},
      {CL_INVALID_PROGRAM, "CL_INVALID_PROGRAM"},
      {CL_INVALID_KERNEL_NAME, "CL_INVALID_KERNEL_NAME"},
      {CL_INVALID_KERNEL, "CL_INVALID_KERNEL"},
      {CL_INVALID_ARG_INDEX, "CL_INVALID_ARG_INDEX"},
      {CL_INVALID_ARG_VALUE, "CL_INVALID_ARG_VALUE"},
      {CL_INVALID_ARG_SIZE, "CL_INVALID_ARG_SIZE"},
      {CL_INVALID_KERNEL_ARGS, "CL_INVALID_KERNEL_ARGS"},
      {CL_INVALID_WORK_DIMENSION, "CL_INVALID_WORK_DIMENSION"},
      {CL_INVALID_WORK_GROUP_SIZE, "CL_INVALID_WORK_GROUP_SIZE"},
      {CL_INVALID_GLOBAL_OFFSET, "CL_INVALID_GLOBAL_OFFSET"},
      {CL_INVALID_BUFFER_SIZE, "CL_INVALID_BUFFER_SIZE"},
      {CL_INVALID_GLOBAL_WORK_SIZE, "CL_INVALID_GLOBAL_WORK_SIZE"},
      {-1001, "CL_PLATFORM_NOT_FOUND_KHR"},
  };
  for (size_t k = 0; k < sizeof names / sizeof names[0]; ++k)
    if (names[k].code == err) return names[k].name;
  static char other[32];
  snprintf(other, sizeof other, "CL_ERROR(%d)", err);
  return other;
}

int pt_opencl_check(int err, const char *call, const char *file, int line) {
  if (err == CL_SUCCESS) return PT_OK;
  return pt_error_set(PT_ERR_RUNTIME, file, line, "%s failed: %s", call, pt_opencl_error_name(err));
}

/* The platform of o, or an input error naming opencl.platform. */
static int find_platform(const pt_opencl_options *o, cl_platform_id *out) {
  cl_platform_id ids[64];
  cl_uint n = 0;
  const cl_int e = clGetPlatformIDs(64, ids, &n);
  char what[160];
  if (e != CL_SUCCESS || n == 0) {
    snprintf(what, sizeof what, "no OpenCL platform (clGetPlatformIDs: %s)",
             e != CL_SUCCESS ? pt_opencl_error_name(e) : "none installed");
    /* What the machine lacks, not where in the code: no rank and line. */
    return pt_error_set(PT_ERR_RUNTIME, NULL, 0, "%s", what);
  }
  if ((cl_uint)o->platform >= n) {
    snprintf(what, sizeof what, "platform %d does not exist (%u OpenCL platform%s here)",
             o->platform, n, n == 1 ? "" : "s");
    return blame(o, "opencl.platform", what);
  }
  *out = ids[o->platform];
  return PT_OK;
}

int pt_opencl_pick(const pt_opencl_options *o, int local_rank, int *id, int *count, char *name,
                   size_t len, int *cpu) {
  cl_platform_id platform;
  cl_device_id devs[64];
  cl_uint n = 0;
  char what[160], pname[128] = "", dname[128] = "";
  *count = 0;
  *id = -1;
  PT_TRY(find_platform(o, &platform));
  const cl_int e = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 64, devs, &n);
  if (e != CL_SUCCESS && e != CL_DEVICE_NOT_FOUND)
    return pt_opencl_check(e, "clGetDeviceIDs", __FILE__, __LINE__);
  if (n == 0) {
    snprintf(what, sizeof what, "OpenCL platform %d has no device", o->platform);
    return blame(o, "opencl.platform", what);
  }
  if (o->device >= (int)n) {
    snprintf(what, sizeof what, "device %d does not exist (platform %d has %u device%s)",
             o->device, o->platform, n, n == 1 ? "" : "s");
    return blame(o, "opencl.device", what);
  }
  *count = (int)n;
  *id = o->device >= 0 ? o->device : local_rank % (int)n;
  PT_CL(clGetPlatformInfo(platform, CL_PLATFORM_NAME, sizeof pname - 1, pname, NULL));
  PT_CL(clGetDeviceInfo(devs[*id], CL_DEVICE_NAME, sizeof dname - 1, dname, NULL));
  snprintf(name, len, "%s: %s", pname, dname);
  if (cpu) {
    cl_device_type type;
    PT_CL(clGetDeviceInfo(devs[*id], CL_DEVICE_TYPE, sizeof type, &type, NULL));
    *cpu = (type & CL_DEVICE_TYPE_CPU) != 0;
  }
  return PT_OK;
}

static int setup(pt_opencl *cl, int id) {
  cl_platform_id platform;
  cl_device_id devs[64];
  cl_uint n = 0;
  cl_int e;
  PT_TRY(find_platform(&cl->opt, &platform));
  PT_CL(clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 64, devs, &n));
  if (id < 0 || (cl_uint)id >= n) return blame(&cl->opt, "opencl.device", "device index out of range");
  cl->device = devs[id];
  const cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)platform, 0};
  cl->context = clCreateContext(props, 1, &cl->device, NULL, NULL, &e);
  PT_CL(e);
  for (int k = 0; k < 2; ++k) {
    cl->queue[k] = clCreateCommandQueue(cl->context, cl->device, 0, &e);
    PT_CL(e);
  }
  return PT_OK;
}

int pt_opencl_create(const pt_opencl_options *o, int id, pt_opencl **out) {
  *out = NULL;
  pt_opencl *cl = calloc(1, sizeof *cl);
  if (!cl) return PT_ERROR(PT_ERR_NOMEM, "out of memory");
  cl->opt = *o;
  const int err = setup(cl, id);
  if (err) {
    pt_opencl_destroy(&cl);
    return err;
  }
  *out = cl;
  return PT_OK;
}

void pt_opencl_destroy(pt_opencl **clp) {
  pt_opencl *cl = *clp;
  if (!cl) return;
  /* Teardown: a failure here cannot be acted on and must not mask the error that may
   * have brought us here, so results are not checked. */
  for (int k = 0; k < 2; ++k)
    if (cl->queue[k]) {
      (void)clFinish(cl->queue[k]);
      (void)clReleaseCommandQueue(cl->queue[k]);
    }
  if (cl->faces_program) (void)clReleaseProgram(cl->faces_program);
  if (cl->context) (void)clReleaseContext(cl->context);
  free(cl);
  *clp = NULL;
}

void *pt_opencl_context(const pt_opencl *cl) { return cl->context; }
void *pt_opencl_queue(const pt_opencl *cl, int k) { return cl->queue[k]; }
void *pt_opencl_device(const pt_opencl *cl) { return cl->device; }

int pt_opencl_build(pt_opencl *cl, const char *name, const char *source, const char *options,
                    void **program) {
  cl_int e;
  *program = NULL;
  cl_program p = clCreateProgramWithSource(cl->context, 1, &source, NULL, &e);
  PT_CL(e);
  char opts[512];
  snprintf(opts, sizeof opts, "-cl-std=CL1.2 %s %s", cl->opt.build_options, options ? options : "");
  e = clBuildProgram(p, 1, &cl->device, opts, NULL, NULL);
  if (e != CL_SUCCESS) {
    /* The log's head: its first errors are the ones that explain the rest. */
    char log[2048] = "";
    size_t got = 0;
    (void)clGetProgramBuildInfo(p, cl->device, CL_PROGRAM_BUILD_LOG, 0, NULL, &got);
    char *full = got ? malloc(got + 1) : NULL;
    if (full && clGetProgramBuildInfo(p, cl->device, CL_PROGRAM_BUILD_LOG, got, full, NULL) == CL_SUCCESS) {
      full[got] = 0;
      snprintf(log, sizeof log, "%s", full);
    }
    free(full);
    /* One line: the log's newlines become " | ". */
    char flat[3 * sizeof log];
    size_t m = 0;
    for (size_t k = 0; log[k] && m + 4 < sizeof flat; ++k)
      if (log[k] == '\n') {
        if (log[k + 1]) { memcpy(flat + m, " | ", 3); m += 3; }
      } else {
        flat[m++] = log[k];
      }
    flat[m] = 0;
    (void)clReleaseProgram(p);
    char what[sizeof flat + 640];
    snprintf(what, sizeof what, "building %s with options '%s' failed (%s): %s", name, opts,
             pt_opencl_error_name(e), m ? flat : "no build log");
    /* With the deck's options in it, the deck is the first suspect. */
    if (cl->opt.build_options[0]) return blame(&cl->opt, "opencl.build_options", what);
    return PT_ERROR(PT_ERR_RUNTIME, "%s", what);
  }
  *program = p;
  return PT_OK;
}

int pt_opencl_alloc(pt_opencl *cl, size_t bytes, void **mem) {
  cl_int e;
  *mem = clCreateBuffer(cl->context, CL_MEM_READ_WRITE, bytes, NULL, &e);
  PT_CL(e);
  const double zero = 0;
  PT_CL(clEnqueueFillBuffer(cl->queue[0], (cl_mem)*mem, &zero, sizeof zero, 0, bytes, 0, NULL, NULL));
  PT_CL(clFinish(cl->queue[0]));
  return PT_OK;
}

void pt_opencl_free(void **mem) {
  if (*mem) (void)clReleaseMemObject((cl_mem)*mem);
  *mem = NULL;
}

enum { NFACE = 4 * PT_MAXDIM, NENTRY = 7 };

struct pt_opencl_faces {
  pt_opencl *cl;
  int ndim, n;
  cl_long geo[2 * PT_MAXDIM];  /* local sizes, then strides */
  cl_long e[NENTRY * NFACE], total;
  double val[NFACE];
  cl_mem d_e, d_val;           /* the list on the device, made at the first run */
  cl_kernel kernel;
};

int pt_opencl_faces_create(pt_opencl *cl, const pt_field *f, pt_opencl_faces **out) {
  *out = NULL;
  if (!cl->faces_program) {
    void *p;
    PT_TRY(pt_opencl_build(cl, "pt_opencl_faces.cl", pt_opencl_faces_source, NULL, &p));
    cl->faces_program = p;
  }
  pt_opencl_faces *t = calloc(1, sizeof *t);
  if (!t) return PT_ERROR(PT_ERR_NOMEM, "out of memory");
  t->cl = cl;
  t->ndim = f->ndim;
  for (int d = 0; d < PT_MAXDIM; ++d) {
    t->geo[d] = d < f->ndim ? f->n[d] : 1;
    t->geo[PT_MAXDIM + d] = d < f->ndim ? f->stride[d] : 0;
  }
  cl_int e;
  t->kernel = clCreateKernel(cl->faces_program, "pt_faces", &e);
  if (e != CL_SUCCESS) {
    free(t);
    PT_CL(e);
  }
  *out = t;
  return PT_OK;
}

int64_t pt_opencl_faces_add(pt_opencl_faces *t, int axis, int side, int field,
                            pt_opencl_face_mode mode, int64_t buf, double value) {
  int64_t count = 1;
  for (int d = 0; d < t->ndim; ++d)
    if (d != axis) count *= t->geo[d];
  cl_long *e = t->e + NENTRY * t->n;
  e[0] = axis;
  e[1] = side;
  e[2] = field;
  e[3] = mode;
  e[4] = t->total;
  e[5] = count;
  e[6] = buf;
  t->val[t->n++] = value;
  t->total += count;
  return count;
}

int pt_opencl_faces_count(const pt_opencl_faces *t) { return t->n; }

int pt_opencl_faces_run(pt_opencl_faces *t, int q, void *f0, void *f1, int64_t offset, void *buf) {
  if (!t->n || !t->total) return PT_OK;
  cl_int e;
  if (!t->d_e) {
    t->d_e = clCreateBuffer(t->cl->context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                            sizeof(cl_long) * NENTRY * (size_t)t->n, t->e, &e);
    PT_CL(e);
    t->d_val = clCreateBuffer(t->cl->context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                              sizeof(double) * (size_t)t->n, t->val, &e);
    PT_CL(e);
  }
  /* A face list that reads no buffer still needs a valid one for the argument. */
  cl_mem b = buf ? (cl_mem)buf : t->d_val, m0 = f0, m1 = f1 ? (cl_mem)f1 : (cl_mem)f0;
  const cl_long off = offset;
  const cl_int nd = t->ndim;
  cl_kernel k = t->kernel;
  PT_CL(clSetKernelArg(k, 0, sizeof(cl_mem), &m0));
  PT_CL(clSetKernelArg(k, 1, sizeof(cl_mem), &m1));
  PT_CL(clSetKernelArg(k, 2, sizeof off, &off));
  PT_CL(clSetKernelArg(k, 3, sizeof(cl_mem), &b));
  PT_CL(clSetKernelArg(k, 4, sizeof(cl_mem), &t->d_e));
  PT_CL(clSetKernelArg(k, 5, sizeof(cl_mem), &t->d_val));
  PT_CL(clSetKernelArg(k, 6, sizeof t->total, &t->total));
  PT_CL(clSetKernelArg(k, 7, sizeof nd, &nd));
  for (int d = 0; d < 2 * PT_MAXDIM; ++d) PT_CL(clSetKernelArg(k, 8 + (cl_uint)d, sizeof(cl_long), &t->geo[d]));
  const size_t global = (size_t)t->total;
  PT_CL(clEnqueueNDRangeKernel((cl_command_queue)pt_opencl_queue(t->cl, q), k, 1, NULL, &global,
                               NULL, 0, NULL, NULL));
  return PT_OK;
}

void pt_opencl_faces_destroy(pt_opencl_faces **tp) {
  pt_opencl_faces *t = *tp;
  if (!t) return;
  if (t->kernel) (void)clReleaseKernel(t->kernel);
  if (t->d_e) (void)clReleaseMemObject(t->d_e);
  if (t->d_val) (void)clReleaseMemObject(t->d_val);
  free(t);
  *tp = NULL;
}

#else /* no OpenCL: the same API, every device function refuses */

static int none(void) { return pt_error_set(PT_ERR_RUNTIME, NULL, 0, "no OpenCL in this build"); }

int pt_opencl_built(void) { return 0; }
const char *pt_opencl_version(void) { return "no OpenCL in this build"; }
const char *pt_opencl_error_name(int err) {
  static char other[32];
  snprintf(other, sizeof other, "CL_ERROR(%d)", err);
  return other;
}
int pt_opencl_check(int err, const char *call, const char *file, int line) {
  if (err == 0) return PT_OK;
  return pt_error_set(PT_ERR_RUNTIME, file, line, "%s failed: %s", call, pt_opencl_error_name(err));
}
int pt_opencl_pick(const pt_opencl_options *o, int local_rank, int *id, int *count, char *name,
                   size_t len, int *cpu) {
  (void)o; (void)local_rank; (void)name; (void)len; (void)cpu;
  *id = -1;
  *count = 0;
  return none();
}
int pt_opencl_create(const pt_opencl_options *o, int id, pt_opencl **cl) {
  (void)o; (void)id;
  *cl = NULL;
  return none();
}
void pt_opencl_destroy(pt_opencl **cl) { *cl = NULL; }
void *pt_opencl_context(const pt_opencl *cl) { (void)cl; return NULL; }
void *pt_opencl_queue(const pt_opencl *cl, int k) { (void)cl; (void)k; return NULL; }
void *pt_opencl_device(const pt_opencl *cl) { (void)cl; return NULL; }
int pt_opencl_build(pt_opencl *cl, const char *name, const char *source, const char *options,
                    void **program) {
  (void)cl; (void)name; (void)source; (void)options;
  *program = NULL;
  return none();
}
int pt_opencl_alloc(pt_opencl *cl, size_t bytes, void **mem) {
  (void)cl; (void)bytes;
  *mem = NULL;
  return none();
}
void pt_opencl_free(void **mem) { *mem = NULL; }
int pt_opencl_faces_create(pt_opencl *cl, const pt_field *f, pt_opencl_faces **t) {
  (void)cl; (void)f;
  *t = NULL;
  return none();
}
int64_t pt_opencl_faces_add(pt_opencl_faces *t, int axis, int side, int field,
                            pt_opencl_face_mode mode, int64_t buf, double value) {
  (void)t; (void)axis; (void)side; (void)field; (void)mode; (void)buf; (void)value;
  return 0;
}
int pt_opencl_faces_count(const pt_opencl_faces *t) { (void)t; return 0; }
int pt_opencl_faces_run(pt_opencl_faces *t, int q, void *f0, void *f1, int64_t offset, void *buf) {
  (void)t; (void)q; (void)f0; (void)f1; (void)offset; (void)buf;
  return none();
}
void pt_opencl_faces_destroy(pt_opencl_faces **t) { *t = NULL; }
#endif
