/* ks-prober-gio.h: real mode's prober: httpGet probes with libsoup 3, tcpSocket probes with a
 * GSocketClient, as Kubernetes' pkg/probe/http and pkg/probe/tcp run them.
 *
 * A probe's host (the probe's host, else the pod's IP) is resolved to an address, and the prober
 * connects only if allow says it may (the node agent asks whether the kernel routes the address
 * through kubesim's bridge); otherwise the probe fails saying so, without a packet sent.  httpGet:
 * GET <scheme>://<address>:<port><path> with Host set to the probe's host, User-Agent
 * "kube-probe/1.32", an Accept header for any type, the probe's headers (which replace those),
 * Connection: close, no proxy, any certificate accepted for HTTPS (as the kubelet skips
 * verification), redirects not followed; success is a status from 200 to 399, failure says
 * "HTTP probe failed with statuscode: N" or the connection error in Go's words ("Get
 * \"http://10.244.1.2:8080/healthz\": dial tcp 10.244.1.2:8080: connect: connection refused").
 * tcpSocket: success when a connection opens (it is closed at once), else "dial tcp
 * 10.244.1.2:80: connect: connection refused" or "...: i/o timeout".  The whole probe, name
 * lookup included, ends within the request's timeout.
 *
 * Everything runs on the thread-default main context of the thread that made the prober, where
 * done is called. */
#pragma once

#include "src/kubelet/ks-prober.h"

G_BEGIN_DECLS

/* May the prober connect to ip (a numeric IPv4 or IPv6 address)?  Called before every
 * connection, on the prober's thread. */
typedef gboolean (*KsProberAllowFunc) (const char *ip, gpointer user_data);

/* A new prober; allow is required (user_data is passed to it and must outlive the prober).  Free
 * with ks_prober_free: probes still running end at once as failures ("prober stopped"). */
KsProber *ks_prober_gio_new (KsProberAllowFunc allow, gpointer user_data);

/* The User-Agent of HTTP probes. */
#define KS_PROBER_USER_AGENT "kube-probe/1.32"

G_END_DECLS
