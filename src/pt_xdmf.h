/* pt_xdmf: the XDMF sidecar of a series, which lets ParaView open it as a time series.
 * Private to libpartita. */
#ifndef PT_XDMF_H
#define PT_XDMF_H

#include <mpi.h>

#include "pt_h5.h"

/* The sidecar of the series `path` and the temp file it is written to (PT_PATH_MAX bytes
 * each). Errors: as pt_io_path. Not collective. */
PT_INTERNAL int pt_xdmf_paths(const char *path, char *xmf, char *tmp);

/* (Re)writes the XDMF sidecar of the series `path` (as given to pt_series_open) from the
 * files themselves, listing every step: temp file then rename, so a reader never sees
 * half a sidecar. Errors: PT_ERR_IO. Collective: rank 0 scans and writes. */
PT_INTERNAL int pt_xdmf_write(MPI_Comm comm, const char *path);

#endif
