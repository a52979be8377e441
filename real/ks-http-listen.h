/* ks-http-listen.h: what real mode's HTTP servers (the API server, the node agents' kubelet
 * server) share: listening on the loopback address only. */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Listen on 127.0.0.1:port (0: a free port) and set *bound to the port listened on.  FALSE with
 * error ("cannot listen on 127.0.0.1:PORT: ...") when it cannot. */
gboolean ks_http_listen_loopback (SoupServer *soup, guint port, guint *bound, GError **error);

G_END_DECLS
