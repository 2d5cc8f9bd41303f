/* Deliberately broken (tests/lanes): a library exporting a symbol without the pt_ prefix,
 * which tests/apps/exported-symbols.sh must reject. Never built into Partita. */
int pt_fine(void);
int grid_helper(void);

int pt_fine(void) { return 1; }
int grid_helper(void) { return 2; } /* should be static or pt_grid_helper */
