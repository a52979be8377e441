/* ks-test-traces.h: where the trace tests find their inputs, and opening them. */
#pragma once

#include <glib.h>

#include "traces/ks-trace-input.h"

G_BEGIN_DECLS

/* A real trace file or directory (relative to the shared traces folder, e.g.
 * "google-2011/task_events"): under $KS_TRACES_DIR, else in a shared/traces folder beside or above
 * the source tree.  NULL when absent: the caller skips with g_test_skip. */
char *ks_test_find_trace (const char *relative);

/* A small fixture kept in the tree: tests/traces/<relative> (tests/traces/SOURCES.md). */
char *ks_test_trace_fixture (const char *relative);

/* path opened as a one-path trace input; the test fails if it cannot be. */
KsTraceInput *ks_test_trace_input_open (const char *path);

G_END_DECLS
