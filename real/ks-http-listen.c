/* ks-http-listen.c: see ks-http-listen.h. */
#include "config.h"

#include "ks-http-listen.h"

gboolean
ks_http_listen_loopback (SoupServer *soup, guint port, guint *bound, GError **error)
{
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  GSList *uris;

  if (!soup_server_listen (soup, address, 0, error))
    {
      g_prefix_error (error, "cannot listen on 127.0.0.1:%u: ", port);
      return FALSE;
    }
  uris = soup_server_get_uris (soup);
  if (uris != NULL)
    *bound = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return TRUE;
}
