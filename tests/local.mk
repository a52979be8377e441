# tests/: GLib unit tests (TAP) and scenario tests (shell, exit 77 = skip).
TEST_EXTENSIONS = .sh
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
SH_LOG_COMPILER = $(SHELL)

test_ldadd = libkubesim.la

check_PROGRAMS += tests/test-quantity tests/test-yaml tests/test-event-queue
tests_test_quantity_LDADD = $(test_ldadd)
tests_test_yaml_LDADD = $(test_ldadd)
tests_test_event_queue_LDADD = $(test_ldadd)
TESTS += tests/test-quantity tests/test-yaml tests/test-event-queue
