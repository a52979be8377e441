/* ks-sim-prober.h: the modelled prober: every probe, whatever its handler (exec, httpGet,
 * tcpSocket), is answered from the pod's simulation annotations and the time since the
 * container started.  Readiness probes succeed from kubesim.io/readiness-delay after the start
 * (at once without it); liveness probes fail from kubesim.io/liveness-fail-after after the start
 * (never without it); both also fail while the pod's age (since status.startTime) is within
 * kubesim.io/readiness-fail-window or liveness-fail-window ("START-END"), a fault that outlasts
 * container restarts; startup probes fail until kubesim.io/startup-probe-delay after the start
 * (succeed at once without it).  Answers come from a clock task at the time of the
 * probe. */
#pragma once

#include "src/ks-clock.h"
#include "src/kubelet/ks-prober.h"

G_BEGIN_DECLS

KsProber *ks_sim_prober_new (KsClock *clock);

G_END_DECLS
