/* ks-net-private.h: parts of ks-net.c that the Service proxy and the unit tests use. */
#pragma once

#include "ks-net.h"

G_BEGIN_DECLS

/* Parses a dotted-quad IPv4 literal in its canonical form (no leading zeros, no spaces) into a
 * host-order address. */
gboolean ks_net_parse_ipv4 (const char *text, guint32 *out);
/* "a.b.c.d/len" with len in [min_len, max_len] and no host bits set. */
gboolean ks_net_parse_cidr (const char *text, guint min_len, guint max_len, guint32 *network,
                            guint *len);
/* Writes the dotted quad of a host-order address into buf (at least 16 bytes); returns buf. */
char *ks_net_format_ipv4 (guint32 addr, char *buf);
gboolean ks_net_in_pod_range (guint32 addr);
gboolean ks_net_in_service_range (guint32 addr);

/* One IPv4 route of the kernel, as the preflight check sees it. */
typedef struct
{
  guint32 dst; /* host order */
  guint8 dst_len;
  guint8 type;         /* RTN_* */
  guint32 table;       /* RT_TABLE_* or a number */
  gboolean via_bridge; /* every next hop's device is kubesim0 */
  char dev[64];        /* the device(s), comma-separated; "" for none (blackhole, ...) */
} KsNetRoute;

/* Appends to problems one line per route that conflicts with kubesim's ranges: any route but a
 * default one that overlaps 10.244.0.0/16 or 10.96.0.0/16 (covers them or lies inside them)
 * and does not go through kubesim0.  Returns TRUE when there is none. */
gboolean ks_net_check_routes (const KsNetRoute *routes, guint n_routes, GString *problems);

G_END_DECLS
