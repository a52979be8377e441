/* ks-sim-runtime.h: the modelled container runtime.
 *
 * A container starts (STARTED) after the pod's kubesim.io/startup time, or the runtime's default;
 * with kubesim.io/duration it exits with kubesim.io/exit-code (default 0) that long after it
 * started; with kubesim.io/crash-rate (and no duration) it exits with the exit code (default 1)
 * after exponential times drawn from the container's own seeded stream.  A container whose share
 * of kubesim.io/memory-usage exceeds its memory limit is OOMKilled (137) as soon as it starts.
 * Init containers complete as soon as they start, and sidecars (restartPolicy Always)
 * run until they are stopped.  Asked to stop, a container that is
 * still starting ends at once and a running one is killed when its grace period ends (exit code
 * 137), unless it ends on its own first. */
#pragma once

#include "src/ks-clock.h"
#include "src/kubelet/ks-runtime.h"

G_BEGIN_DECLS

/* A runtime for one node.  default_startup: µs from start to running. */
KsRuntime *ks_sim_runtime_new (KsClock *clock, gint64 default_startup);
/* The run's seed for the crash-rate streams (default 1); set before any container starts. */
void ks_sim_runtime_set_seed (KsRuntime *runtime, guint64 seed);
guint ks_sim_runtime_n_containers (KsRuntime *runtime);

G_END_DECLS
