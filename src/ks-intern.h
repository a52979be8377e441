/* ks-intern.h: interned strings.  Equal strings get one pointer, valid for the life of the
 * process, so that names (nodes, namespaces, reasons) compare by pointer and are stored once.
 *
 * Like g_intern_string, but its storage stays reachable: GLib's quark table drops a block each
 * time it grows past 2,048 strings, which leak checkers then report on large clusters. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The interned copy of s (NULL for NULL).  Not thread-safe: kubesim runs one thread. */
const char *ks_intern (const char *s);

G_END_DECLS
