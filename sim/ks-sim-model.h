/* ks-sim-model.h: the simulation annotations of a pod (DESIGN.md "Simulation annotations"):
 * kubesim.io/duration, startup, exit-code, crash-rate, cpu-usage, memory-usage, memory-growth,
 * and the probe
 * model's readiness-delay, liveness-fail-after, startup-probe-delay, readiness-fail-window and
 * liveness-fail-window.
 * Parsed once per template when a scenario is loaded (so bad values are input errors) and again by
 * the modelled runtime. */
#pragma once

#include "src/api/ks-strmap.h"

G_BEGIN_DECLS

#define KS_ANNOTATION_DURATION "kubesim.io/duration"
#define KS_ANNOTATION_STARTUP "kubesim.io/startup"
#define KS_ANNOTATION_EXIT_CODE "kubesim.io/exit-code"
#define KS_ANNOTATION_CPU_USAGE "kubesim.io/cpu-usage"
#define KS_ANNOTATION_MEMORY_USAGE "kubesim.io/memory-usage"
#define KS_ANNOTATION_READINESS_DELAY "kubesim.io/readiness-delay"
#define KS_ANNOTATION_LIVENESS_FAIL_AFTER "kubesim.io/liveness-fail-after"
#define KS_ANNOTATION_CRASH_RATE "kubesim.io/crash-rate"
#define KS_ANNOTATION_MEMORY_GROWTH "kubesim.io/memory-growth"
#define KS_ANNOTATION_STARTUP_PROBE_DELAY "kubesim.io/startup-probe-delay"
#define KS_ANNOTATION_READINESS_FAIL_WINDOW "kubesim.io/readiness-fail-window"
#define KS_ANNOTATION_LIVENESS_FAIL_WINDOW "kubesim.io/liveness-fail-window"

typedef struct
{
  gint64 startup;      /* µs, -1: the kubelet model's default */
  gint64 duration;     /* µs, -1: runs until stopped */
  gint exit_code;      /* after duration or a crash; default 0 (after a crash: 1) */
  gint64 cpu_usage;    /* millicores, -1 unset */
  gint64 memory_usage; /* bytes, -1 unset */
  /* Bytes per second by which a running container's memory grows from its start (a leak; 0:
   * none): "QUANTITY/DURATION", shared by the containers as memory_usage is. */
  gdouble memory_growth;
  /* Probes (sim/ks-sim-prober): readiness probes fail until this long after the container
   * started (-1: succeed at once); liveness probes fail from this long after it started (-1:
   * never). */
  gint64 readiness_delay;
  gint64 liveness_fail_after;
  /* Startup probes fail until this long after the container started (-1: succeed at once). */
  gint64 startup_probe_delay;
  /* Crashes per hour of a container that otherwise runs until stopped (0: none); the times
   * between crashes are exponential. */
  gdouble crash_rate;
  /* Probes also fail while the pod's age (time since status.startTime) is in [from, to): a
   * transient fault that outlives container restarts.  -1: no window. */
  gint64 readiness_fail_from, readiness_fail_to;
  gint64 liveness_fail_from, liveness_fail_to;
} KsSimPodModel;

#define KS_SIM_ERROR (ks_sim_error_quark ())
GQuark ks_sim_error_quark (void);

typedef enum
{
  KS_SIM_ERROR_ANNOTATION, /* a simulation annotation with a bad value; message names it */
  KS_SIM_ERROR_INPUT,      /* bad scenario input found at run time */
} KsSimError;

/* Parse the annotations; FALSE with an error naming the annotation and what is valid. */
gboolean ks_sim_pod_model_parse (const KsStrMap *annotations, KsSimPodModel *out, GError **error);

G_END_DECLS
