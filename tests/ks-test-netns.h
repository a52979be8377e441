/* ks-test-netns.h: what the root-only network tests share: a private network namespace to
 * work in, and running commands while the main loop keeps going. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Moves this process into new network and mount namespaces of its own (mounts made private, a
 * tmpfs on /run/netns, lo up), so that nothing it does to interfaces, addresses or routes can
 * reach the machine's network.  Call it first in main(), before any thread exists.  Returns
 * NULL, or why it cannot be done (owned; the caller skips its tests with it): not root, no
 * unshare, ip or busybox missing, or mounts that cannot be made private (a chroot whose root is
 * not a mount point). */
char *ks_test_enter_private_netns (void);

/* Runs argv to completion (killed after timeout_s seconds) while iterating the thread-default
 * main context, with no proxy variables in its environment.  Returns its standard output
 * (owned; stderr is merged into it) and sets *exit_status (-1: killed or not exited). */
char *ks_test_run (const char *const *argv, guint timeout_s, int *exit_status);

/* Runs argv and fails the test unless it exits with status 0; returns its output (owned). */
char *ks_test_run_ok (const char *const *argv);

G_END_DECLS
