/** @file
 * pt_units: the unit system an input deck states, and what it makes of the openPMD unit
 * attributes. A deck either gives the size of each code unit its solver uses
 * ~~~
 *   [units]
 *   length = 1 cm
 *   time = 1 s
 *   temperature = 1 K
 * ~~~
 * and the files say SI (unitSI, unitDimension, gridUnitSI, timeUnitSI from those sizes),
 * or gives none and runs in code units: every record is then a plain number (unitSI 1,
 * unitDimension all zero) and the file's unitSystem attribute says "code", so no reader
 * takes a G = 1 run for metres and kilograms. */
#ifndef PT_UNITS_H
#define PT_UNITS_H

#include "pt_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Base quantities, in openPMD's unitDimension order. */
enum { PT_UNIT_LENGTH = 0, PT_UNIT_MASS = 1, PT_UNIT_TIME = 2, PT_UNIT_TEMPERATURE = 4 };
/** The bit of base `base` in pt_units_read's `needs`. */
#define PT_UNIT_BIT(base) (1u << (base))

/** A deck's unit system (pt_units_read). */
typedef struct pt_units {
  int si;          /**< 1: the deck gave the size of every base unit the solver uses */
  double base[7];  /**< SI size of one code unit per base (1 where not given) */
} pt_units;

/** Reads units.length, units.mass, units.time and units.temperature for the bases in
 * `needs` (PT_UNIT_BIT(PT_UNIT_LENGTH) | ...; the keys of other bases are unknown keys).
 * Each value is a number and a unit: m, cm, mm, um, km, au, pc; kg, g, Msun; s, ms, us,
 * min, h, d, yr, Myr; K. All of the needed keys or none. Errors: PT_ERR_INPUT naming the
 * key ("units.length: must be a size with a unit, e.g. '1 cm' (got 'cm')", "units.time:
 * give every one of units.length, units.time, or none (code units)"). Not collective. */
int pt_units_read(pt_config *cfg, unsigned needs, pt_units *u);

/** unitSI and unitDimension of a quantity of physical dimension `dim` (powers of L, M,
 * T, I, theta, N, J): in SI, the product of the base sizes to those powers and `dim`
 * itself; in code units, 1 and all zeros. Not collective. */
void pt_units_of(const pt_units *u, const double dim[7], double *unit_si, double out_dim[7]);

/** "SI" or "code": the file attribute unitSystem. */
const char *pt_units_system(const pt_units *u);

#ifdef __cplusplus
}
#endif
#endif
