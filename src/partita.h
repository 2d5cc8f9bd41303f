/** @file
 * partita.h: the whole public API of libpartita. */
/** @mainpage libpartita
 * The public API of libpartita: `#include <partita.h>` includes every module's header
 * (the Files tab lists them; docs/design.md says what each module owns), and
 * `pkg-config --cflags --libs partita` gives the flags to build against it. Functions
 * that can fail return PT_OK or a PT_ERR_* code (pt_error.h); a function that every rank
 * of a communicator must call says it is collective. */
#ifndef PARTITA_H
#define PARTITA_H
#include "pt_error.h"
#include "pt_log.h"
#include "pt_progress.h"
#include "pt_config.h"
#include "pt_cli.h"
#include "pt_timer.h"
#include "pt_report.h"
#include "pt_decomp.h"
#include "pt_field.h"
#include "pt_halo.h"
#include "pt_reduce.h"
#include "pt_series.h"
#include "pt_io.h"
#include "pt_checkpoint.h"
#include "pt_signal.h"
#include "pt_run.h"
#include "pt_units.h"
#include "pt_opencl.h"
#include "pt_device.h"
#include "pt_particles.h"
#include "pt_version.h"
#endif
