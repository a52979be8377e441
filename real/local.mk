# real/: real mode: wall clock, runc runtime, node agent, API server and client.
noinst_LTLIBRARIES += real/libks-real.la
real_libks_real_la_CPPFLAGS = $(AM_CPPFLAGS) -DG_LOG_DOMAIN=\"kubesim-real\"
real_libks_real_la_SOURCES = \
	real/ks-daemon.c real/ks-daemon.h \
	real/ks-kubeconfig.c real/ks-kubeconfig.h \
	real/ks-net.c real/ks-net.h real/ks-net-private.h \
	real/ks-printers.c real/ks-printers.h \
	real/ks-service-proxy.c real/ks-service-proxy.h \
	real/ks-wall-clock.c real/ks-wall-clock.h
