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
	TOP_BUILDDIR='$(abs_top_builddir)'; export TOP_BUILDDIR; \
	KS_EXAMPLE_MODULE='$(abs_top_builddir)/policies/examples/.libs/prefer-node-label.so'; \
	export KS_EXAMPLE_MODULE; \
	KS_EXAMPLE_AUTOSCALER_MODULE='$(abs_top_builddir)/policies/examples/.libs/target-tracking.so'; \
	export KS_EXAMPLE_AUTOSCALER_MODULE; \
	KS_BAD_MODULES='$(abs_top_builddir)/tests/modules/.libs/'; export KS_BAD_MODULES; \
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
	tests/ks-test-netns.c tests/ks-test-netns.h \
	tests/ks-test-sched.c tests/ks-test-sched.h \
	tests/ks-test-traces.c tests/ks-test-traces.h
test_ldadd = tests/libks-test.la libkubesim.la

unit_tests = \
	tests/test-api \
	tests/test-apiserver \
	tests/test-cluster-autoscaler \
	tests/test-controllers \
	tests/test-daemon \
	tests/test-deployment \
	tests/test-drain \
	tests/test-endpoints \
	tests/test-eviction \
	tests/test-event-queue \
	tests/test-events \
	tests/test-explain \
	tests/test-http-client \
	tests/test-image-store \
	tests/test-job \
	tests/test-volumes \
	tests/test-hpa \
	tests/test-hpa-sim \
	tests/test-kubeconfig \
	tests/test-kubectl \
	tests/test-kubelet \
	tests/test-kubelet-server \
	tests/test-metrics \
	tests/test-metrics-api \
	tests/test-net \
	tests/test-net-real \
	tests/test-node-agent \
	tests/test-node-failure \
	tests/test-node-ipam \
	tests/test-node-lifecycle \
	tests/test-oci-bundle \
	tests/test-policies \
	tests/test-plugins \
	tests/test-printers \
	tests/test-preemption \
	tests/test-prober-gio \
	tests/test-quantity \
	tests/test-sched-config \
	tests/test-scheduler \
	tests/test-service-feed \
	tests/test-service-proxy \
	tests/test-spread-affinity \
	tests/test-statefulset \
	tests/test-stats \
	tests/test-store \
	tests/test-expect \
	tests/test-traffic \
	tests/test-traces \
	tests/test-trace-generate \
	tests/test-trace-google \
	tests/test-trace-input \
	tests/test-trace-readers \
	tests/test-store-sqlite \
	tests/test-wall-clock \
	tests/test-wire \
	tests/test-yaml
check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)
tests_test_api_LDADD = $(test_ldadd)
tests_test_apiserver_LDADD = $(test_ldadd)
tests_test_controllers_LDADD = $(test_ldadd)
tests_test_cluster_autoscaler_LDADD = $(test_ldadd)
tests_test_statefulset_LDADD = $(test_ldadd)
tests_test_stats_LDADD = $(test_ldadd)
tests_test_job_LDADD = $(test_ldadd)
tests_test_volumes_LDADD = $(test_ldadd)
tests_test_hpa_LDADD = $(test_ldadd)
tests_test_hpa_sim_LDADD = $(test_ldadd)
# It loads the example autoscaler policy module, which calls kubesim's functions.
tests_test_hpa_sim_LDFLAGS = $(AM_LDFLAGS) -export-dynamic
tests_test_daemon_LDADD = $(test_ldadd)
tests_test_deployment_LDADD = $(test_ldadd)
tests_test_drain_LDADD = $(test_ldadd)
tests_test_traffic_LDADD = $(test_ldadd)
tests_test_node_failure_LDADD = $(test_ldadd)
tests_test_expect_LDADD = $(test_ldadd)
tests_test_endpoints_LDADD = $(test_ldadd)
tests_test_eviction_LDADD = $(test_ldadd)
tests_test_event_queue_LDADD = $(test_ldadd)
tests_test_events_LDADD = $(test_ldadd)
tests_test_explain_LDADD = $(test_ldadd)
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
tests_test_policies_LDADD = $(test_ldadd)
# It loads policy modules that call kubesim's functions.
tests_test_policies_LDFLAGS = $(AM_LDFLAGS) -export-dynamic
tests_test_plugins_LDADD = $(test_ldadd)
tests_test_printers_LDADD = $(test_ldadd)
tests_test_preemption_LDADD = $(test_ldadd)
tests_test_prober_gio_LDADD = $(test_ldadd)
tests_test_quantity_LDADD = $(test_ldadd)
tests_test_sched_config_LDADD = $(test_ldadd)
tests_test_scheduler_LDADD = $(test_ldadd)
tests_test_service_feed_LDADD = $(test_ldadd)
tests_test_service_proxy_LDADD = $(test_ldadd)
tests_test_spread_affinity_LDADD = $(test_ldadd)
tests_test_store_LDADD = $(test_ldadd)
tests_test_store_sqlite_LDADD = $(test_ldadd)
tests_test_wall_clock_LDADD = $(test_ldadd)
tests_test_wire_LDADD = $(test_ldadd)
tests_test_yaml_LDADD = $(test_ldadd)
tests_test_traces_LDADD = $(test_ldadd)
tests_test_trace_generate_LDADD = $(test_ldadd)
tests_test_trace_google_LDADD = $(test_ldadd)
tests_test_trace_input_LDADD = $(test_ldadd)
tests_test_trace_readers_LDADD = $(test_ldadd)

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
	tests/autoscaler.sh \
	tests/bad-input.sh \
	tests/cli.sh \
	tests/determinism.sh \
	tests/check.sh \
	tests/compare.sh \
	tests/compare-trace.sh \
	tests/pods-csv.sh \
	tests/cluster-series.sh \
	tests/used-ratios.sh \
	tests/example-compare.sh \
	tests/docs.sh \
	tests/format.sh \
	tests/fuzz.sh \
	tests/golden.sh \
	tests/hpa-api.sh \
	tests/sched-config.sh \
	tests/kubectl.sh \
	tests/kubectl-real.sh \
	tests/policies.sh \
	tests/policy-abi.sh \
	tests/preemption.sh \
	tests/rollouts.sh \
	tests/quickstart.sh \
	tests/real-cluster.sh \
	tests/real-cluster-autoscaler.sh \
	tests/real-hpa.sh \
	tests/real-job.sh \
	tests/real-node.sh \
	tests/real-node-failure.sh \
	tests/real-probes.sh \
	tests/real-rollout.sh \
	tests/real-same-policy.sh \
	tests/real-service.sh \
	tests/real-statefulset.sh \
	tests/real-volumes.sh \
	tests/report.sh \
	tests/report-chromium.sh \
	tests/schedule.sh \
	tests/store-crash.sh \
	tests/runc-runtime.sh \
	tests/spread.sh \
	tests/statefulset-api.sh \
	tests/three-nodes.sh \
	tests/trace-generate.sh \
	tests/trace-input.sh \
	tests/trace-readers.sh \
	tests/trace-stats.sh \
	tests/valgrind.sh \
	tests/why-pending.sh
TESTS += $(shell_tests)

EXTRA_DIST += $(shell_tests) tests/lib.sh tests/real-lib.sh tests/libsoup.supp tests/junit.xsd tests/modules/bad-module.c tests/modules/bad-autoscaler.c \
	tests/autoscaler tests/bad tests/compare tests/corpus tests/golden tests/scenarios tests/schedule

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

# Policy modules the loader must refuse (tests/test-policies.c, tests/policies.sh): one source,
# one module per BAD_* macro.  Shared objects, like policies/examples.
bad_modules = \
	tests/modules/bad-no-symbol.la \
	tests/modules/bad-module-version.la \
	tests/modules/bad-plugin-version.la \
	tests/modules/bad-builtin-name.la \
	tests/modules/bad-example-name.la \
	tests/modules/bad-no-name.la \
	tests/modules/bad-no-point.la \
	tests/modules/bad-null.la \
	tests/modules/bad-empty.la \
	tests/modules/bad-twice.la \
	tests/modules/bad-undefined.la \
	tests/modules/bad-as-module-version.la \
	tests/modules/bad-as-policy-version.la \
	tests/modules/bad-as-builtin-name.la \
	tests/modules/bad-as-no-name.la \
	tests/modules/bad-as-no-recommend.la \
	tests/modules/bad-as-no-free.la \
	tests/modules/bad-as-twice.la \
	tests/modules/bad-as-null.la
check_LTLIBRARIES += $(bad_modules)
bad_module_ldflags = -module -avoid-version -rpath /nowhere
tests_modules_bad_no_symbol_la_SOURCES = tests/modules/bad-module.c
tests_modules_bad_no_symbol_la_CPPFLAGS = $(AM_CPPFLAGS) -DBAD_NO_SYMBOL
tests_modules_bad_no_symbol_la_LDFLAGS = $(bad_module_ldflags)
tests_modules_bad_no_symbol_la_LIBTOOLFLAGS = --tag=disable-static
tests_modules_bad_module_version_la_SOURCES = tests/modules/bad-module.c
tests_modules_bad_module_version_la_CPPFLAGS = $(AM_CPPFLAGS) -DBAD_MODULE_VERSION
tests_modules_bad_module_version_la_LDFLAGS = $(bad_module_ldflags)
tests_modules_bad_module_version_la_LIBTOOLFLAGS = --tag=disable-static
tests_modules_bad_plugin_version_la_SOURCES = tests/modules/bad-module.c
tests_modules_bad_plugin_version_la_CPPFLAGS = $(AM_CPPFLAGS) -DBAD_PLUGIN_VERSION
tests_modules_bad_plugin_version_la_LDFLAGS = $(bad_module_ldflags)
tests_modules_bad_plugin_version_la_LIBTOOLFLAGS = --tag=disable-static
tests_modules_bad_builtin_name_la_SOURCES = tests/modules/bad-module.c
tests_modules_bad_builtin_name_la_CPPFLAGS = $(AM_CPPFLAGS) -DBAD_BUILTIN_NAME
tests_modules_bad_builtin_name_la_LDFLAGS = $(bad_module_ldflags)
tests_modules_bad_builtin_name_la_LIBTOOLFLAGS = --tag=disable-static
tests_modules_bad_example_name_la_SOURCES = tests/modules/bad-module.c
tests_modules_bad_example_name_la_CPPFLAGS = $(AM_CPPFLAGS) -DBAD_EXAMPLE_NAME
tests_modules_bad_example_name_la_LDFLAGS = $(bad_module_ldflags)
tests_modules_bad_example_name_la_LIBTOOLFLAGS = --tag=disable-static
tests_modules_bad_no_name_la_SOURCES = tests/modules/bad-module.c
tests_modules_bad_no_name_la_CPPFLAGS = $(AM_CPPFLAGS) -DBAD_NO_NAME
tests_modules_bad_no_name_la_LDFLAGS = $(bad_module_ldflags)
tests_modules_bad_no_name_la_LIBTOOLFLAGS = --tag=disable-static
tests_modules_bad_no_point_la_SOURCES = tests/modules/bad-module.c
tests_modules_bad_no_point_la_CPPFLAGS = $(AM_CPPFLAGS) -DBAD_NO_POINT
tests_modules_bad_no_point_la_LDFLAGS = $(bad_module_ldflags)
tests_modules_bad_no_point_la_LIBTOOLFLAGS = --tag=disable-static
tests_modules_bad_null_la_SOURCES = tests/modules/bad-module.c
tests_modules_bad_null_la_CPPFLAGS = $(AM_CPPFLAGS) -DBAD_NULL
tests_modules_bad_null_la_LDFLAGS = $(bad_module_ldflags)
tests_modules_bad_null_la_LIBTOOLFLAGS = --tag=disable-static
tests_modules_bad_empty_la_SOURCES = tests/modules/bad-module.c
tests_modules_bad_empty_la_CPPFLAGS = $(AM_CPPFLAGS) -DBAD_EMPTY
tests_modules_bad_empty_la_LDFLAGS = $(bad_module_ldflags)
tests_modules_bad_empty_la_LIBTOOLFLAGS = --tag=disable-static
tests_modules_bad_twice_la_SOURCES = tests/modules/bad-module.c
tests_modules_bad_twice_la_CPPFLAGS = $(AM_CPPFLAGS) -DBAD_TWICE
tests_modules_bad_twice_la_LDFLAGS = $(bad_module_ldflags)
tests_modules_bad_twice_la_LIBTOOLFLAGS = --tag=disable-static
tests_modules_bad_undefined_la_SOURCES = tests/modules/bad-module.c
tests_modules_bad_undefined_la_CPPFLAGS = $(AM_CPPFLAGS) -DBAD_UNDEFINED
tests_modules_bad_undefined_la_LDFLAGS = $(bad_module_ldflags)
tests_modules_bad_undefined_la_LIBTOOLFLAGS = --tag=disable-static
# Autoscaler policy modules the loader must refuse (tests/modules/bad-autoscaler.c).
tests_modules_bad_as_module_version_la_SOURCES = tests/modules/bad-autoscaler.c
tests_modules_bad_as_module_version_la_CPPFLAGS = $(AM_CPPFLAGS) -DBAD_MODULE_VERSION
tests_modules_bad_as_module_version_la_LDFLAGS = $(bad_module_ldflags)
tests_modules_bad_as_module_version_la_LIBTOOLFLAGS = --tag=disable-static
tests_modules_bad_as_policy_version_la_SOURCES = tests/modules/bad-autoscaler.c
tests_modules_bad_as_policy_version_la_CPPFLAGS = $(AM_CPPFLAGS) -DBAD_POLICY_VERSION
tests_modules_bad_as_policy_version_la_LDFLAGS = $(bad_module_ldflags)
tests_modules_bad_as_policy_version_la_LIBTOOLFLAGS = --tag=disable-static
tests_modules_bad_as_builtin_name_la_SOURCES = tests/modules/bad-autoscaler.c
tests_modules_bad_as_builtin_name_la_CPPFLAGS = $(AM_CPPFLAGS) -DBAD_BUILTIN_NAME
tests_modules_bad_as_builtin_name_la_LDFLAGS = $(bad_module_ldflags)
tests_modules_bad_as_builtin_name_la_LIBTOOLFLAGS = --tag=disable-static
tests_modules_bad_as_no_name_la_SOURCES = tests/modules/bad-autoscaler.c
tests_modules_bad_as_no_name_la_CPPFLAGS = $(AM_CPPFLAGS) -DBAD_NO_NAME
tests_modules_bad_as_no_name_la_LDFLAGS = $(bad_module_ldflags)
tests_modules_bad_as_no_name_la_LIBTOOLFLAGS = --tag=disable-static
tests_modules_bad_as_no_recommend_la_SOURCES = tests/modules/bad-autoscaler.c
tests_modules_bad_as_no_recommend_la_CPPFLAGS = $(AM_CPPFLAGS) -DBAD_NO_RECOMMEND
tests_modules_bad_as_no_recommend_la_LDFLAGS = $(bad_module_ldflags)
tests_modules_bad_as_no_recommend_la_LIBTOOLFLAGS = --tag=disable-static
tests_modules_bad_as_no_free_la_SOURCES = tests/modules/bad-autoscaler.c
tests_modules_bad_as_no_free_la_CPPFLAGS = $(AM_CPPFLAGS) -DBAD_NO_FREE
tests_modules_bad_as_no_free_la_LDFLAGS = $(bad_module_ldflags)
tests_modules_bad_as_no_free_la_LIBTOOLFLAGS = --tag=disable-static
tests_modules_bad_as_twice_la_SOURCES = tests/modules/bad-autoscaler.c
tests_modules_bad_as_twice_la_CPPFLAGS = $(AM_CPPFLAGS) -DBAD_TWICE
tests_modules_bad_as_twice_la_LDFLAGS = $(bad_module_ldflags)
tests_modules_bad_as_twice_la_LIBTOOLFLAGS = --tag=disable-static
tests_modules_bad_as_null_la_SOURCES = tests/modules/bad-autoscaler.c
tests_modules_bad_as_null_la_CPPFLAGS = $(AM_CPPFLAGS) -DBAD_NULL
tests_modules_bad_as_null_la_LDFLAGS = $(bad_module_ldflags)
tests_modules_bad_as_null_la_LIBTOOLFLAGS = --tag=disable-static

# Trace fixtures (tests/traces/SOURCES.md).
EXTRA_DIST += tests/traces/SOURCES.md \
	tests/traces/kubesim/small.jsonl \
	tests/traces/kubesim/bad-row.jsonl \
	tests/traces/kubesim/bad-object.jsonl \
	tests/traces/google-2011/task_events/part-00000-of-00500.csv.gz \
	tests/traces/google-2011/task_events/part-00001-of-00500.csv.gz \
	tests/traces/google-2019/collection_events-000000000000.json \
	tests/traces/google-2019/instance_events-000000000000.json.gz \
	tests/traces/google-2019/machine_events-000000000000.json \
	tests/traces/alibaba-2017/batch_task.csv tests/traces/alibaba-2017/server_event.csv \
	tests/traces/alibaba-2018/machine_meta.csv tests/traces/alibaba-2018/machine_usage.csv \
	tests/traces/alibaba-2018/batch_task.csv tests/traces/alibaba-2018/batch_instance.csv \
	tests/traces/alibaba-2018/container_meta.csv \
	tests/traces/alibaba-gpu-2023/openb_node_list_all_node.csv \
	tests/traces/alibaba-gpu-2023/openb_pod_list_gpuspec33.csv \
	tests/traces/alibaba-gpu-2023/openb_pod_list_multigpu50.csv \
	tests/traces/azure-vm/vmtable.csv.gz

# Trace replay: records as objects, the native format, replay (traces/, sim/ks-replay.c).
replay_unit_tests = tests/test-trace-objects
check_PROGRAMS += $(replay_unit_tests)
TESTS += $(replay_unit_tests) tests/replay.sh
EXTRA_DIST += tests/replay.sh
tests_test_trace_objects_LDADD = $(test_ldadd)
