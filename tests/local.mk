# tests/: GLib unit tests (TAP) and scenario tests (shell; exit 77 = skip with a reason).
TEST_EXTENSIONS = .sh
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
SH_LOG_COMPILER = $(SHELL)
AM_TESTS_ENVIRONMENT = \
	KUBESIM='$(abs_top_builddir)/kubesim'; export KUBESIM; \
	FUZZ_QUANTITY='$(abs_top_builddir)/tests/fuzz-quantity'; export FUZZ_QUANTITY; \
	FUZZ_YAML='$(abs_top_builddir)/tests/fuzz-yaml'; export FUZZ_YAML; \
	STORE_CRASH_WRITER='$(abs_top_builddir)/tests/store-crash-writer'; export STORE_CRASH_WRITER; \
	TOP_SRCDIR='$(abs_top_srcdir)'; export TOP_SRCDIR; \
	G_DEBUG=fatal-criticals; export G_DEBUG; \
	$(sanitizer_environment)
if ENABLE_SANITIZERS
sanitizer_environment = KS_SANITIZERS=1; export KS_SANITIZERS; \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1; export UBSAN_OPTIONS;
else
sanitizer_environment =
endif

# What the unit tests share (tests/ks-test.h).
check_LTLIBRARIES += tests/libks-test.la
tests_libks_test_la_SOURCES = tests/ks-test.c tests/ks-test.h \
	tests/ks-test-netns.c tests/ks-test-netns.h
test_ldadd = tests/libks-test.la libkubesim.la

unit_tests = \
	tests/test-api \
	tests/test-apiserver \
	tests/test-controllers \
	tests/test-daemon \
	tests/test-endpoints \
	tests/test-event-queue \
	tests/test-events \
	tests/test-http-client \
	tests/test-image-store \
	tests/test-kubeconfig \
	tests/test-kubectl \
	tests/test-kubelet \
	tests/test-kubelet-server \
	tests/test-metrics \
	tests/test-metrics-api \
	tests/test-net \
	tests/test-net-real \
	tests/test-node-agent \
	tests/test-node-ipam \
	tests/test-node-lifecycle \
	tests/test-oci-bundle \
	tests/test-printers \
	tests/test-prober-gio \
	tests/test-quantity \
	tests/test-scheduler \
	tests/test-service-feed \
	tests/test-service-proxy \
	tests/test-store \
	tests/test-store-sqlite \
	tests/test-wall-clock \
	tests/test-wire \
	tests/test-yaml
check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)
tests_test_api_LDADD = $(test_ldadd)
tests_test_apiserver_LDADD = $(test_ldadd)
tests_test_controllers_LDADD = $(test_ldadd)
tests_test_daemon_LDADD = $(test_ldadd)
tests_test_endpoints_LDADD = $(test_ldadd)
tests_test_event_queue_LDADD = $(test_ldadd)
tests_test_events_LDADD = $(test_ldadd)
tests_test_http_client_LDADD = $(test_ldadd)
tests_test_image_store_LDADD = $(test_ldadd)
tests_test_kubeconfig_LDADD = $(test_ldadd)
tests_test_kubectl_LDADD = $(test_ldadd)
tests_test_kubelet_LDADD = $(test_ldadd)
tests_test_kubelet_server_LDADD = $(test_ldadd)
tests_test_metrics_LDADD = $(test_ldadd)
tests_test_metrics_api_LDADD = $(test_ldadd)
tests_test_net_LDADD = $(test_ldadd)
tests_test_net_real_LDADD = $(test_ldadd)
tests_test_node_agent_LDADD = $(test_ldadd)
tests_test_node_ipam_LDADD = $(test_ldadd)
tests_test_node_lifecycle_LDADD = $(test_ldadd)
tests_test_oci_bundle_LDADD = $(test_ldadd)
tests_test_printers_LDADD = $(test_ldadd)
tests_test_prober_gio_LDADD = $(test_ldadd)
tests_test_quantity_LDADD = $(test_ldadd)
tests_test_scheduler_LDADD = $(test_ldadd)
tests_test_service_feed_LDADD = $(test_ldadd)
tests_test_service_proxy_LDADD = $(test_ldadd)
tests_test_store_LDADD = $(test_ldadd)
tests_test_store_sqlite_LDADD = $(test_ldadd)
tests_test_wall_clock_LDADD = $(test_ldadd)
tests_test_wire_LDADD = $(test_ldadd)
tests_test_yaml_LDADD = $(test_ldadd)

# bench-real-start: a Deployment's start on a real cluster, run by tests/bench-real.sh (root;
# docs/benchmarks.md).
check_PROGRAMS += tests/bench-real-start
tests_bench_real_start_LDADD = $(test_ldadd)
EXTRA_DIST += tests/bench-real.sh

# bench-net: the pod network and Service proxy benchmark (root; docs/benchmarks.md).
check_PROGRAMS += tests/bench-net
tests_bench_net_LDADD = $(test_ldadd)
# The runc runtime against real containers: run by tests/runc-runtime.sh in private namespaces.
check_PROGRAMS += tests/test-runc-runtime
tests_test_runc_runtime_LDADD = $(test_ldadd)
# Its benchmark (docs/benchmarks.md): built with the tests, run by hand.
check_PROGRAMS += tests/bench-runc-runtime
tests_bench_runc_runtime_LDADD = $(test_ldadd)

# The fuzz targets as regression runners over tests/corpus/ (tests/fuzz.sh).
check_PROGRAMS += tests/fuzz-quantity tests/fuzz-yaml
tests_fuzz_quantity_LDADD = $(test_ldadd)
tests_fuzz_yaml_LDADD = $(test_ldadd)

# The store's crash test (tests/store-crash.sh) and commit-rate benchmark (docs/benchmarks.md).
check_PROGRAMS += tests/store-crash-writer
tests_store_crash_writer_LDADD = libkubesim.la

shell_tests = \
	tests/bad-input.sh \
	tests/cli.sh \
	tests/determinism.sh \
	tests/docs.sh \
	tests/format.sh \
	tests/fuzz.sh \
	tests/golden.sh \
	tests/kubectl.sh \
	tests/kubectl-real.sh \
	tests/quickstart.sh \
	tests/real-cluster.sh \
	tests/real-node.sh \
	tests/real-same-policy.sh \
	tests/store-crash.sh \
	tests/runc-runtime.sh \
	tests/three-nodes.sh \
	tests/valgrind.sh
TESTS += $(shell_tests)

EXTRA_DIST += $(shell_tests) tests/lib.sh tests/libsoup.supp \
	tests/bad tests/corpus tests/golden tests/scenarios

# make check-valgrind: every test under valgrind (the unit tests directly, the shell tests
# through KS_VALGRIND, which tests/lib.sh puts in front of kubesim).
VALGRIND_FLAGS = -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
	--show-leak-kinds=definite --suppressions=/usr/share/glib-2.0/valgrind/glib.supp \
	--suppressions=$(abs_top_srcdir)/tests/libsoup.supp
check-valgrind: $(check_PROGRAMS) kubesim
	@test -n "$(VALGRIND)" || { echo "valgrind not found: run scripts/deps"; exit 1; }
	$(MAKE) $(AM_MAKEFLAGS) check \
		LOG_COMPILER='$(VALGRIND) $(VALGRIND_FLAGS)' \
		TESTS_ENVIRONMENT="G_SLICE=always-malloc KS_VALGRIND='$(VALGRIND) $(VALGRIND_FLAGS)'; export G_SLICE KS_VALGRIND;"
.PHONY: check-valgrind
