# sim/: the discrete-event engine, the modelled container runtime, scenarios.
noinst_LTLIBRARIES += sim/libks-sim.la
sim_libks_sim_la_CPPFLAGS = $(AM_CPPFLAGS) -DG_LOG_DOMAIN=\"kubesim-sim\"
sim_libks_sim_la_SOURCES = \
	sim/ks-bench.c sim/ks-bench.h \
	sim/ks-expect.c sim/ks-expect.h \
	sim/ks-load.c sim/ks-load.h \
	sim/ks-replay.c sim/ks-replay.h \
	sim/ks-scenario.c sim/ks-scenario.h \
	sim/ks-sim-autoscaler.c sim/ks-sim-autoscaler.h \
	sim/ks-sim-clock.c sim/ks-sim-clock.h \
	sim/ks-sim-custom-metrics.c sim/ks-sim-custom-metrics.h \
	sim/ks-sim-link.c sim/ks-sim-link.h \
	sim/ks-sim-metrics.c sim/ks-sim-metrics.h \
	sim/ks-sim-model.c sim/ks-sim-model.h \
	sim/ks-sim-prober.c sim/ks-sim-prober.h \
	sim/ks-sim-runtime.c sim/ks-sim-runtime.h \
	sim/ks-sim-traffic.c sim/ks-sim-traffic.h \
	sim/ks-sim-usage.c sim/ks-sim-usage.h \
	sim/ks-sim.c sim/ks-sim.h sim/ks-sim-private.h
