/* ks-service.c: v1 Service, v1 Endpoints and discovery.k8s.io/v1 EndpointSlice: decoding with
 * Kubernetes' defaults and validation (pkg/apis/core/v1/defaults.go, pkg/apis/core/validation),
 * encoding in its field order. */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "ks-kinds-private.h"
#include "ks-service.h"

static const char *const type_names[] = { "ClusterIP", "NodePort", "LoadBalancer", NULL };
static const char *const traffic_names[] = { "Cluster", "Local", NULL };
static const char *const affinity_names[] = { "None", "ClientIP", NULL };
static const char *const family_policy_names[] = { "SingleStack", "PreferDualStack", NULL };
static const char *const protocols[] = { "TCP", "UDP", "SCTP", NULL };

/* Kubernetes' messages for names (k8s.io/apimachinery/pkg/util/validation). */
#define DNS1123_LABEL_MESSAGE                                                                      \
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "     \
  "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "       \
  "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
#define DNS1123_SUBDOMAIN_MESSAGE                                                                  \
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "     \
  "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "    \
  "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"

const char *
ks_service_type_name (KsServiceType type)
{
  return type_names[type];
}

const char *
ks_traffic_policy_name (KsTrafficPolicy policy)
{
  return traffic_names[policy];
}

gboolean
ks_ip_is_valid (const char *text)
{
  guint8 buf[16];

  return text != NULL
         && (inet_pton (AF_INET, text, buf) == 1 || inet_pton (AF_INET6, text, buf) == 1);
}

static gboolean
is_ipv4 (const char *text)
{
  guint8 buf[4];
  return inet_pton (AF_INET, text, buf) == 1;
}

/* A string member that must be one of choices, reported as Kubernetes does: 'Unsupported
 * value: "x": supported values: "A", "B"' (listed is the quoted, sorted list). */
static gboolean
get_enum (KsDecoder *dec, JsonNode *obj, const char *field, const char *const *choices,
          const char *listed, int *out)
{
  JsonNode *m = ks_decoder_member (obj, field);
  g_autofree char *s = NULL;
  gsize mark;
  gboolean ok = FALSE;

  if (m == NULL)
    return TRUE;
  mark = ks_decoder_push (dec, field);
  if (ks_decoder_string (dec, m, &s))
    {
      for (int i = 0; choices[i] != NULL; i++)
        if (strcmp (s, choices[i]) == 0)
          {
            *out = i;
            ok = TRUE;
          }
      if (!ok)
        ks_decoder_error (dec, m, "Unsupported value: \"%s\": supported values: %s", s, listed);
    }
  ks_decoder_pop (dec, mark);
  return ok;
}

static const char *
protocol_decode (KsDecoder *dec, JsonNode *obj)
{
  int protocol = 0;

  get_enum (dec, obj, "protocol", protocols, "\"SCTP\", \"TCP\", \"UDP\"", &protocol);
  return protocols[protocol];
}

static const char *
label_message (const char *name)
{
  if (strlen (name) > 63)
    return "must be no more than 63 characters";
  return ks_validate_dns1123_label (name) != NULL ? DNS1123_LABEL_MESSAGE : NULL;
}

/* Port names of a Service or an Endpoints subset: each a DNS label, required and unique when
 * there are several.  names[i] may be NULL; items are the list's JSON elements. */
static void
check_port_names (KsDecoder *dec, JsonArray *items, char *const *names, guint n)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *item = json_array_get_element (items, i);
      gsize mark = ks_decoder_push_index (dec, i);
      const char *why;

      if (names[i] == NULL || names[i][0] == '\0')
        {
          if (n > 1)
            ks_decoder_error_field (dec, item, "name", "Required value");
        }
      else if ((why = label_message (names[i])) != NULL)
        ks_decoder_error_field (dec, item, "name", "Invalid value: \"%s\": %s", names[i], why);
      else if (!g_hash_table_add (seen, names[i]))
        ks_decoder_error_field (dec, item, "name", "Duplicate value: \"%s\"", names[i]);
      ks_decoder_pop (dec, mark);
    }
}

/* Service */

KsService *
ks_service_new (const char *ns, const char *name)
{
  KsService *svc = (KsService *) ks_object_new (&ks_service_kind);

  svc->parent.meta.name = g_strdup (name);
  svc->parent.meta.namespace = ns != NULL ? ks_intern (ns) : NULL;
  svc->allocate_load_balancer_node_ports = TRUE;
  return svc;
}

gboolean
ks_service_is_headless (const KsService *svc)
{
  return g_strcmp0 (svc->cluster_ip, KS_CLUSTER_IP_NONE) == 0;
}

gboolean
ks_service_needs_cluster_ip (const KsService *svc)
{
  return !ks_service_is_headless (svc);
}

gboolean
ks_service_needs_node_ports (const KsService *svc)
{
  return svc->type == KS_SERVICE_NODE_PORT
         || (svc->type == KS_SERVICE_LOAD_BALANCER && svc->allocate_load_balancer_node_ports);
}

gboolean
ks_service_needs_health_check_node_port (const KsService *svc)
{
  return svc->type == KS_SERVICE_LOAD_BALANCER && svc->has_external_traffic_policy
         && svc->external_traffic_policy == KS_TRAFFIC_POLICY_LOCAL;
}

gboolean
ks_service_port_resolve (const KsServicePort *port, const KsPodSpec *spec, gint32 *out)
{
  if (port->target_port.name == NULL)
    {
      *out = port->target_port.number != 0 ? port->target_port.number : port->port;
      return TRUE;
    }
  /* FindPort: the first container port of that name and protocol, containers in order, then
   * the sidecars (init containers with restartPolicy Always). */
  for (guint pass = 0; pass < 2; pass++)
    {
      const KsContainer *containers = pass == 0 ? spec->containers : spec->init_containers;
      guint n = pass == 0 ? spec->n_containers : spec->n_init_containers;
      for (guint i = 0; i < n; i++)
        {
          if (pass == 1 && !containers[i].restart_always)
            continue;
          for (guint j = 0; j < containers[i].n_ports; j++)
            {
              const KsContainerPort *p = &containers[i].ports[j];
              if (g_strcmp0 (p->name, port->target_port.name) == 0
                  && strcmp (p->protocol, port->protocol) == 0)
                {
                  *out = p->container_port;
                  return TRUE;
                }
            }
        }
    }
  return FALSE;
}

/* Items are kept even with problems, so that the checks across ports see every port at its
 * index (the Service is dropped anyway). */
static gboolean
service_port_decode (KsDecoder *dec, JsonNode *item, gpointer slot, gpointer unused)
{
  KsServicePort *p = slot;
  gint64 port = 0, node_port = 0;

  ks_decoder_get_string (dec, item, "name", &p->name);
  p->protocol = protocol_decode (dec, item);
  if (ks_decoder_get_int64 (dec, item, "port", &port) && (port < 1 || port > 65535))
    ks_decoder_error_field (
        dec, item, "port",
        "Invalid value: %" G_GINT64_FORMAT ": must be between 1 and 65535, inclusive", port);
  p->port = (gint32) CLAMP (port, 0, 65535);
  ks_port_decode (dec, item, "targetPort", TRUE, &p->target_port);
  if (p->target_port.name == NULL && p->target_port.number == 0)
    p->target_port.number = p->port;
  if (ks_decoder_get_int64 (dec, item, "nodePort", &node_port)
      && (node_port < 0 || node_port > 65535))
    ks_decoder_error_field (
        dec, item, "nodePort",
        "Invalid value: %" G_GINT64_FORMAT ": must be between 1 and 65535, inclusive", node_port);
  p->node_port = (gint32) CLAMP (node_port, 0, 65535);
  return TRUE;
}

static void
service_ports_check (KsDecoder *dec, JsonNode *list, KsService *svc)
{
  JsonArray *items = json_node_get_array (list);
  g_autofree char **names = g_new0 (char *, MAX (svc->n_ports, 1));
  gsize mark = ks_decoder_push (dec, "ports");

  /* Elements that are not mappings are not in svc->ports: only check a complete list. */
  if (json_array_get_length (items) != svc->n_ports)
    {
      ks_decoder_pop (dec, mark);
      return;
    }
  for (guint i = 0; i < svc->n_ports; i++)
    names[i] = svc->ports[i].name;
  check_port_names (dec, items, names, svc->n_ports);
  for (guint i = 0; i < svc->n_ports; i++)
    {
      const KsServicePort *p = &svc->ports[i];
      JsonNode *item = json_array_get_element (items, i);
      gsize mark2 = ks_decoder_push_index (dec, i);

      if (p->node_port != 0 && svc->type == KS_SERVICE_CLUSTER_IP)
        ks_decoder_error_field (dec, item, "nodePort",
                                "Forbidden: may not be used when `type` is 'ClusterIP'");
      for (guint j = 0; j < i; j++)
        {
          const KsServicePort *q = &svc->ports[j];
          if (q->port == p->port && strcmp (q->protocol, p->protocol) == 0)
            {
              /* Kubernetes prints the key it compares, a ServicePort with only these set. */
              ks_decoder_error (dec, item,
                                "Duplicate value: core.ServicePort{Name:\"\", Protocol:\"%s\", "
                                "AppProtocol:(*string)(nil), Port:%d, "
                                "TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, "
                                "NodePort:0}",
                                p->protocol, p->port);
              break;
            }
        }
      for (guint j = 0; j < i && p->node_port != 0; j++)
        {
          const KsServicePort *q = &svc->ports[j];
          if (q->node_port == p->node_port && strcmp (q->protocol, p->protocol) == 0)
            {
              ks_decoder_error_field (dec, item, "nodePort", "Duplicate value: %d", p->node_port);
              break;
            }
        }
      ks_decoder_pop (dec, mark2);
    }
  ks_decoder_pop (dec, mark);
}

/* spec.clusterIP and spec.clusterIPs, reported at clusterIPs[i] as Kubernetes does (its
 * defaulting copies one into the other before validation). */
static void
cluster_ip_decode (KsDecoder *dec, JsonNode *spec, KsService *svc)
{
  g_autofree char *ip = NULL;
  g_auto (GStrv) ips = NULL;
  JsonNode *at = ks_decoder_member (spec, "clusterIP");
  gsize mark, mark2;

  ks_decoder_get_string (dec, spec, "clusterIP", &ip);
  if (ks_decoder_get_strv (dec, spec, "clusterIPs", &ips) && ips != NULL && ips[0] != NULL)
    {
      JsonNode *list = ks_decoder_member (spec, "clusterIPs");
      if (g_strv_length (ips) > 1)
        {
          mark = ks_decoder_push (dec, "clusterIPs");
          ks_decoder_error (dec, list,
                            "Invalid value: %u IPs: this cluster is not configured for "
                            "dual-stack services (one IPv4 address at most)",
                            g_strv_length (ips));
          ks_decoder_pop (dec, mark);
          return;
        }
      if (ip != NULL && ip[0] != '\0' && strcmp (ip, ips[0]) != 0)
        {
          mark = ks_decoder_push (dec, "clusterIPs");
          mark2 = ks_decoder_push_index (dec, 0);
          ks_decoder_error (dec, json_array_get_element (json_node_get_array (list), 0),
                            "Invalid value: \"%s\": must be the same as `clusterIP` (\"%s\")",
                            ips[0], ip);
          ks_decoder_pop (dec, mark2);
          ks_decoder_pop (dec, mark);
          return;
        }
      if (ip == NULL || ip[0] == '\0')
        {
          g_free (ip);
          ip = g_strdup (ips[0]);
          at = json_array_get_element (json_node_get_array (list), 0);
        }
    }
  if (ip == NULL || ip[0] == '\0')
    return;
  mark = ks_decoder_push (dec, "clusterIPs");
  mark2 = ks_decoder_push_index (dec, 0);
  if (strcmp (ip, KS_CLUSTER_IP_NONE) == 0)
    {
      if (svc->type != KS_SERVICE_CLUSTER_IP)
        ks_decoder_error (dec, at,
                          "Invalid value: \"None\": may not be set to 'None' for %s services",
                          type_names[svc->type]);
    }
  else if (!ks_ip_is_valid (ip))
    ks_decoder_error (dec, at, "Invalid value: \"%s\": " KS_INVALID_IP_MESSAGE, ip);
  else if (!is_ipv4 (ip))
    ks_decoder_error (dec, at,
                      "Invalid value: \"%s\": expected an IPv4 value as indicated by "
                      "`ipFamilies[0]`",
                      ip);
  ks_decoder_pop (dec, mark2);
  ks_decoder_pop (dec, mark);
  svc->cluster_ip = g_steal_pointer (&ip);
}

static void
session_affinity_decode (KsDecoder *dec, JsonNode *spec, KsService *svc)
{
  JsonNode *config = ks_decoder_member (spec, "sessionAffinityConfig");
  int affinity = KS_SESSION_AFFINITY_NONE;
  JsonNode *client, *timeout;
  gint64 seconds = KS_DEFAULT_CLIENT_IP_AFFINITY_SECONDS;
  gsize mark;

  get_enum (dec, spec, "sessionAffinity", affinity_names, "\"ClientIP\", \"None\"", &affinity);
  svc->session_affinity = affinity;
  if (affinity == KS_SESSION_AFFINITY_NONE)
    {
      if (config != NULL)
        ks_decoder_error_field (dec, spec, "sessionAffinityConfig",
                                "Forbidden: must not be set when session affinity is None");
      return;
    }
  if (config != NULL)
    {
      mark = ks_decoder_push (dec, "sessionAffinityConfig");
      if (ks_decoder_expect_object (dec, config)
          && (client = ks_decoder_member (config, "clientIP")) != NULL)
        {
          gsize mark2 = ks_decoder_push (dec, "clientIP");
          if (ks_decoder_expect_object (dec, client)
              && ks_decoder_get_int64 (dec, client, "timeoutSeconds", &seconds)
              && (timeout = ks_decoder_member (client, "timeoutSeconds")) != NULL
              && (seconds <= 0 || seconds > KS_MAX_CLIENT_IP_AFFINITY_SECONDS))
            ks_decoder_error_field (dec, client, "timeoutSeconds",
                                    "Invalid value: %" G_GINT64_FORMAT
                                    ": must be greater than 0 and less than %d",
                                    seconds, KS_MAX_CLIENT_IP_AFFINITY_SECONDS);
          ks_decoder_pop (dec, mark2);
        }
      ks_decoder_pop (dec, mark);
    }
  svc->session_affinity_timeout = (gint32) CLAMP (seconds, 0, KS_MAX_CLIENT_IP_AFFINITY_SECONDS);
}

static void
ip_families_decode (KsDecoder *dec, JsonNode *spec, KsService *svc)
{
  g_auto (GStrv) families = NULL;
  int policy = KS_IP_FAMILY_POLICY_SINGLE_STACK;
  JsonNode *m;

  if ((m = ks_decoder_member (spec, "ipFamilyPolicy")) != NULL && JSON_NODE_HOLDS_VALUE (m)
      && json_node_get_value_type (m) == G_TYPE_STRING
      && strcmp (json_node_get_string (m), "RequireDualStack") == 0)
    ks_decoder_error_field (dec, spec, "ipFamilyPolicy",
                            "Invalid value: \"RequireDualStack\": this cluster is not configured "
                            "for dual-stack services");
  else
    get_enum (dec, spec, "ipFamilyPolicy", family_policy_names,
              "\"PreferDualStack\", \"RequireDualStack\", \"SingleStack\"", &policy);
  svc->ip_family_policy = policy;
  if (ks_decoder_get_strv (dec, spec, "ipFamilies", &families) && families != NULL)
    {
      gsize mark = ks_decoder_push (dec, "ipFamilies");
      m = ks_decoder_member (spec, "ipFamilies");
      for (guint i = 0; families[i] != NULL; i++)
        {
          gsize mark2 = ks_decoder_push_index (dec, i);
          JsonNode *at = json_array_get_element (json_node_get_array (m), i);
          if (strcmp (families[i], "IPv6") == 0 || (i > 0 && strcmp (families[i], "IPv4") == 0))
            ks_decoder_error (dec, at, "Invalid value: \"%s\": not configured on this cluster",
                              families[i]);
          else if (strcmp (families[i], "IPv4") != 0)
            ks_decoder_error (dec, at,
                              "Unsupported value: \"%s\": supported values: \"IPv4\", \"IPv6\"",
                              families[i]);
          ks_decoder_pop (dec, mark2);
        }
      ks_decoder_pop (dec, mark);
    }
}

static void
service_decode (KsDecoder *dec, JsonNode *node, KsObject *obj)
{
  KsService *svc = KS_SERVICE (obj);
  JsonNode *spec = ks_decoder_member (node, "spec");
  JsonNode *m;
  int type = KS_SERVICE_CLUSTER_IP, etp = -1, itp = KS_TRAFFIC_POLICY_CLUSTER;
  gint64 hc = 0;
  gboolean external_name = FALSE;
  gsize mark;

  svc->allocate_load_balancer_node_ports = TRUE;
  if (spec == NULL)
    {
      ks_decoder_error_field (dec, node, "spec", "required field is missing");
      return;
    }
  mark = ks_decoder_push (dec, "spec");
  if (!ks_decoder_expect_object (dec, spec))
    {
      ks_decoder_pop (dec, mark);
      return;
    }
  if ((m = ks_decoder_member (spec, "type")) != NULL && JSON_NODE_HOLDS_VALUE (m)
      && json_node_get_value_type (m) == G_TYPE_STRING
      && strcmp (json_node_get_string (m), "ExternalName") == 0)
    external_name = TRUE;
  if (external_name)
    ks_decoder_error_field (dec, spec, "type",
                            "Unsupported value: \"ExternalName\": kubesim does not support "
                            "ExternalName services; supported values: \"ClusterIP\", "
                            "\"LoadBalancer\", \"NodePort\"");
  else
    get_enum (dec, spec, "type", type_names, "\"ClusterIP\", \"LoadBalancer\", \"NodePort\"",
              &type);
  svc->type = type;
  if (ks_decoder_get_str_map (dec, spec, "selector", &svc->selector))
    for (guint i = 0; i < ks_str_map_size (svc->selector); i++)
      {
        const char *k = ks_str_map_key (svc->selector, i);
        const char *why = ks_validate_label_key (k);
        gsize mark2 = ks_decoder_push (dec, "selector");
        if (why == NULL)
          why = ks_validate_label_value (ks_str_map_value (svc->selector, i));
        if (why != NULL)
          ks_decoder_error_field (dec, ks_decoder_member (spec, "selector"), k,
                                  "invalid selector: %s", why);
        ks_decoder_pop (dec, mark2);
      }
  cluster_ip_decode (dec, spec, svc);
  if ((m = ks_decoder_member (spec, "ports")) != NULL)
    {
      gsize mark2 = ks_decoder_push (dec, "ports");
      svc->ports = ks_decoder_list (dec, m, sizeof (KsServicePort), service_port_decode, NULL,
                                    &svc->n_ports);
      ks_decoder_pop (dec, mark2);
      if (svc->ports != NULL)
        service_ports_check (dec, m, svc);
    }
  /* Ports are required but for headless Services (an empty list counts as none). */
  if (svc->n_ports == 0 && !ks_service_is_headless (svc) && !external_name
      && (m == NULL
          || (JSON_NODE_HOLDS_ARRAY (m) && json_array_get_length (json_node_get_array (m)) == 0)))
    ks_decoder_error_field (dec, spec, "ports", "Required value");
  session_affinity_decode (dec, spec, svc);
  get_enum (dec, spec, "externalTrafficPolicy", traffic_names, "\"Cluster\", \"Local\"", &etp);
  if (svc->type == KS_SERVICE_CLUSTER_IP)
    {
      if (etp >= 0)
        ks_decoder_error_field (dec, spec, "externalTrafficPolicy",
                                "Invalid value: \"%s\": may only be set for externally-accessible "
                                "services",
                                traffic_names[etp]);
    }
  else
    {
      svc->has_external_traffic_policy = TRUE;
      svc->external_traffic_policy = etp >= 0 ? etp : KS_TRAFFIC_POLICY_CLUSTER;
    }
  get_enum (dec, spec, "internalTrafficPolicy", traffic_names, "\"Cluster\", \"Local\"", &itp);
  svc->internal_traffic_policy = itp;
  if (ks_decoder_get_int64 (dec, spec, "healthCheckNodePort", &hc) && hc != 0)
    {
      if (!ks_service_needs_health_check_node_port (svc))
        ks_decoder_error_field (dec, spec, "healthCheckNodePort",
                                "Invalid value: %" G_GINT64_FORMAT
                                ": may only be set when `type` is 'LoadBalancer' and "
                                "`externalTrafficPolicy` is 'Local'",
                                hc);
      else if (hc < 0 || hc > 65535)
        ks_decoder_error_field (
            dec, spec, "healthCheckNodePort",
            "Invalid value: %" G_GINT64_FORMAT ": must be between 1 and 65535, inclusive", hc);
      else
        svc->health_check_node_port = (gint32) hc;
    }
  ks_decoder_get_bool (dec, spec, "publishNotReadyAddresses", &svc->publish_not_ready_addresses);
  ip_families_decode (dec, spec, svc);
  if (ks_decoder_member (spec, "allocateLoadBalancerNodePorts") != NULL)
    {
      if (svc->type != KS_SERVICE_LOAD_BALANCER)
        ks_decoder_error_field (dec, spec, "allocateLoadBalancerNodePorts",
                                "Forbidden: may only be used when `type` is 'LoadBalancer'");
      else
        ks_decoder_get_bool (dec, spec, "allocateLoadBalancerNodePorts",
                             &svc->allocate_load_balancer_node_ports);
    }
  ks_decoder_pop (dec, mark);
}

static void
service_encode (const KsObject *obj, JsonBuilder *b, gint64 epoch)
{
  const KsService *svc = KS_SERVICE (obj);

  /* v1.ServiceSpec's field order. */
  json_builder_set_member_name (b, "spec");
  json_builder_begin_object (b);
  if (svc->n_ports > 0)
    {
      json_builder_set_member_name (b, "ports");
      json_builder_begin_array (b);
      for (guint i = 0; i < svc->n_ports; i++)
        {
          const KsServicePort *p = &svc->ports[i];
          json_builder_begin_object (b);
          if (p->name != NULL)
            ks_builder_add_string (b, "name", p->name);
          ks_builder_add_string (b, "protocol", p->protocol);
          ks_builder_add_int (b, "port", p->port);
          ks_builder_add_int_or_string (b, "targetPort", &p->target_port);
          if (p->node_port != 0)
            ks_builder_add_int (b, "nodePort", p->node_port);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  if (ks_str_map_size (svc->selector) > 0)
    ks_builder_add_str_map (b, "selector", svc->selector);
  if (svc->cluster_ip != NULL)
    {
      ks_builder_add_string (b, "clusterIP", svc->cluster_ip);
      json_builder_set_member_name (b, "clusterIPs");
      json_builder_begin_array (b);
      json_builder_add_string_value (b, svc->cluster_ip);
      json_builder_end_array (b);
    }
  ks_builder_add_string (b, "type", type_names[svc->type]);
  ks_builder_add_string (b, "sessionAffinity", affinity_names[svc->session_affinity]);
  if (svc->has_external_traffic_policy)
    ks_builder_add_string (b, "externalTrafficPolicy", traffic_names[svc->external_traffic_policy]);
  if (svc->health_check_node_port != 0)
    ks_builder_add_int (b, "healthCheckNodePort", svc->health_check_node_port);
  if (svc->publish_not_ready_addresses)
    ks_builder_add_bool (b, "publishNotReadyAddresses", TRUE);
  if (svc->session_affinity == KS_SESSION_AFFINITY_CLIENT_IP)
    {
      json_builder_set_member_name (b, "sessionAffinityConfig");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "clientIP");
      json_builder_begin_object (b);
      ks_builder_add_int (b, "timeoutSeconds", svc->session_affinity_timeout);
      json_builder_end_object (b);
      json_builder_end_object (b);
    }
  json_builder_set_member_name (b, "ipFamilies");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, "IPv4");
  json_builder_end_array (b);
  ks_builder_add_string (b, "ipFamilyPolicy", family_policy_names[svc->ip_family_policy]);
  if (svc->type == KS_SERVICE_LOAD_BALANCER)
    ks_builder_add_bool (b, "allocateLoadBalancerNodePorts",
                         svc->allocate_load_balancer_node_ports);
  ks_builder_add_string (b, "internalTrafficPolicy", traffic_names[svc->internal_traffic_policy]);
  json_builder_end_object (b);
  /* A LoadBalancer's balancer stays pending: no ingress. */
  json_builder_set_member_name (b, "status");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "loadBalancer");
  json_builder_begin_object (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
}

static void
service_copy (KsObject *dst_obj, const KsObject *src_obj)
{
  KsService *dst = KS_SERVICE (dst_obj);
  const KsService *src = KS_SERVICE (src_obj);

  ks_str_map_ref (dst->selector);
  dst->cluster_ip = g_strdup (src->cluster_ip);
  dst->ports = g_new0 (KsServicePort, MAX (src->n_ports, 1));
  for (guint i = 0; i < src->n_ports; i++)
    {
      dst->ports[i] = src->ports[i];
      dst->ports[i].name = g_strdup (src->ports[i].name);
      ks_int_or_string_copy (&dst->ports[i].target_port, &src->ports[i].target_port);
    }
}

static void
service_finalize (KsObject *obj)
{
  KsService *svc = KS_SERVICE (obj);

  ks_str_map_unref (svc->selector);
  g_free (svc->cluster_ip);
  for (guint i = 0; i < svc->n_ports; i++)
    {
      g_free (svc->ports[i].name);
      ks_int_or_string_clear (&svc->ports[i].target_port);
    }
  g_free (svc->ports);
}

const KsKind ks_service_kind = {
  .id = KS_KIND_SERVICE,
  .name = "Service",
  .api_version = "v1",
  .group = "",
  .plural = "services",
  .short_name = "svc",
  .namespaced = TRUE,
  .has_generation = FALSE,
  .size = sizeof (KsService),
  .decode = service_decode,
  .encode = service_encode,
  .copy = service_copy,
  .finalize = service_finalize,
};

/* Endpoints */

KsEndpoints *
ks_endpoints_new (const char *ns, const char *name)
{
  KsEndpoints *ep = (KsEndpoints *) ks_object_new (&ks_endpoints_kind);

  ep->parent.meta.name = g_strdup (name);
  ep->parent.meta.namespace = ns != NULL ? ks_intern (ns) : NULL;
  return ep;
}

void
ks_endpoint_address_clear (KsEndpointAddress *a)
{
  g_free (a->ip);
  g_free (a->hostname);
  g_free (a->node_name);
  ks_object_reference_free (a->target_ref);
  memset (a, 0, sizeof *a);
}

void
ks_endpoint_address_copy (KsEndpointAddress *dst, const KsEndpointAddress *src)
{
  dst->ip = g_strdup (src->ip);
  dst->hostname = g_strdup (src->hostname);
  dst->node_name = g_strdup (src->node_name);
  dst->target_ref = ks_object_reference_dup (src->target_ref);
}

static KsEndpointAddress *
addresses_copy (const KsEndpointAddress *src, guint n)
{
  KsEndpointAddress *dst = g_new0 (KsEndpointAddress, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    ks_endpoint_address_copy (&dst[i], &src[i]);
  return dst;
}

static void
addresses_free (KsEndpointAddress *a, guint n)
{
  for (guint i = 0; i < n; i++)
    ks_endpoint_address_clear (&a[i]);
  g_free (a);
}

void
ks_endpoint_subset_clear (KsEndpointSubset *s)
{
  addresses_free (s->addresses, s->n_addresses);
  addresses_free (s->not_ready_addresses, s->n_not_ready_addresses);
  for (guint i = 0; i < s->n_ports; i++)
    g_free (s->ports[i].name);
  g_free (s->ports);
  memset (s, 0, sizeof *s);
}

void
ks_endpoint_subset_copy (KsEndpointSubset *dst, const KsEndpointSubset *src)
{
  *dst = *src;
  dst->addresses = addresses_copy (src->addresses, src->n_addresses);
  dst->not_ready_addresses = addresses_copy (src->not_ready_addresses, src->n_not_ready_addresses);
  dst->ports = g_new0 (KsEndpointPort, MAX (src->n_ports, 1));
  for (guint i = 0; i < src->n_ports; i++)
    {
      dst->ports[i] = src->ports[i];
      dst->ports[i].name = g_strdup (src->ports[i].name);
    }
}

void
ks_endpoints_take_subsets (KsEndpoints *ep, KsEndpointSubset *subsets, guint n)
{
  for (guint i = 0; i < ep->n_subsets; i++)
    ks_endpoint_subset_clear (&ep->subsets[i]);
  g_free (ep->subsets);
  ep->subsets = subsets;
  ep->n_subsets = n;
}

static gboolean
endpoint_address_decode (KsDecoder *dec, JsonNode *item, gpointer slot, gpointer unused)
{
  KsEndpointAddress *a = slot;
  guint errors = ks_decoder_n_errors (dec);
  JsonNode *m;
  const char *why;

  if (ks_decoder_member (item, "ip") == NULL)
    ks_decoder_error_field (dec, item, "ip", "Required value");
  else if (ks_decoder_get_string (dec, item, "ip", &a->ip) && !ks_ip_is_valid (a->ip))
    ks_decoder_error_field (dec, item, "ip", "Invalid value: \"%s\": " KS_INVALID_IP_MESSAGE,
                            a->ip);
  if (ks_decoder_get_string (dec, item, "hostname", &a->hostname) && a->hostname != NULL
      && (why = label_message (a->hostname)) != NULL)
    ks_decoder_error_field (dec, item, "hostname", "Invalid value: \"%s\": %s", a->hostname, why);
  if (ks_decoder_get_string (dec, item, "nodeName", &a->node_name) && a->node_name != NULL
      && ks_validate_dns1123_subdomain (a->node_name) != NULL)
    ks_decoder_error_field (dec, item, "nodeName",
                            "Invalid value: \"%s\": " DNS1123_SUBDOMAIN_MESSAGE, a->node_name);
  if ((m = ks_decoder_member (item, "targetRef")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "targetRef");
      a->target_ref = g_new0 (KsObjectReference, 1);
      ks_object_reference_decode (dec, m, a->target_ref);
      ks_decoder_pop (dec, mark);
    }
  if (ks_decoder_n_errors (dec) != errors)
    {
      ks_endpoint_address_clear (a);
      return FALSE;
    }
  return TRUE;
}

static gboolean
endpoint_port_decode (KsDecoder *dec, JsonNode *item, gpointer slot, gpointer unused)
{
  KsEndpointPort *p = slot;
  guint errors = ks_decoder_n_errors (dec);
  gint64 port = 0;

  ks_decoder_get_string (dec, item, "name", &p->name);
  if (ks_decoder_get_int64 (dec, item, "port", &port) && (port < 1 || port > 65535))
    ks_decoder_error_field (
        dec, item, "port",
        "Invalid value: %" G_GINT64_FORMAT ": must be between 1 and 65535, inclusive", port);
  p->port = (gint32) CLAMP (port, 0, 65535);
  p->protocol = protocol_decode (dec, item);
  if (ks_decoder_n_errors (dec) != errors)
    {
      g_clear_pointer (&p->name, g_free);
      return FALSE;
    }
  return TRUE;
}

static gboolean
endpoint_subset_decode (KsDecoder *dec, JsonNode *item, gpointer slot, gpointer unused)
{
  KsEndpointSubset *s = slot;
  guint errors = ks_decoder_n_errors (dec);
  JsonNode *m;

  if ((m = ks_decoder_member (item, "addresses")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "addresses");
      s->addresses = ks_decoder_list (dec, m, sizeof (KsEndpointAddress), endpoint_address_decode,
                                      NULL, &s->n_addresses);
      ks_decoder_pop (dec, mark);
    }
  if ((m = ks_decoder_member (item, "notReadyAddresses")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "notReadyAddresses");
      s->not_ready_addresses
          = ks_decoder_list (dec, m, sizeof (KsEndpointAddress), endpoint_address_decode, NULL,
                             &s->n_not_ready_addresses);
      ks_decoder_pop (dec, mark);
    }
  if ((m = ks_decoder_member (item, "ports")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "ports");
      s->ports = ks_decoder_list (dec, m, sizeof (KsEndpointPort), endpoint_port_decode, NULL,
                                  &s->n_ports);
      if (s->ports != NULL && ks_decoder_n_errors (dec) == errors)
        {
          g_autofree char **names = g_new0 (char *, MAX (s->n_ports, 1));
          for (guint i = 0; i < s->n_ports; i++)
            names[i] = s->ports[i].name;
          check_port_names (dec, json_node_get_array (m), names, s->n_ports);
        }
      ks_decoder_pop (dec, mark);
    }
  if (ks_decoder_n_errors (dec) == errors && s->n_addresses == 0 && s->n_not_ready_addresses == 0)
    ks_decoder_error (dec, item, "Required value: must specify `addresses` or `notReadyAddresses`");
  if (s->addresses == NULL)
    s->addresses = g_new0 (KsEndpointAddress, 1);
  if (s->not_ready_addresses == NULL)
    s->not_ready_addresses = g_new0 (KsEndpointAddress, 1);
  if (s->ports == NULL)
    s->ports = g_new0 (KsEndpointPort, 1);
  if (ks_decoder_n_errors (dec) != errors)
    {
      ks_endpoint_subset_clear (s);
      return FALSE;
    }
  return TRUE;
}

static void
endpoints_decode (KsDecoder *dec, JsonNode *node, KsObject *obj)
{
  KsEndpoints *ep = KS_ENDPOINTS (obj);
  JsonNode *m = ks_decoder_member (node, "subsets");
  gsize mark;

  if (m == NULL)
    return;
  mark = ks_decoder_push (dec, "subsets");
  ep->subsets = ks_decoder_list (dec, m, sizeof (KsEndpointSubset), endpoint_subset_decode, NULL,
                                 &ep->n_subsets);
  ks_decoder_pop (dec, mark);
}

static void
addresses_encode (JsonBuilder *b, const char *member, const KsEndpointAddress *a, guint n)
{
  if (n == 0)
    return;
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    {
      json_builder_begin_object (b);
      ks_builder_add_string (b, "ip", a[i].ip);
      if (a[i].hostname != NULL)
        ks_builder_add_string (b, "hostname", a[i].hostname);
      if (a[i].node_name != NULL)
        ks_builder_add_string (b, "nodeName", a[i].node_name);
      if (a[i].target_ref != NULL)
        {
          json_builder_set_member_name (b, "targetRef");
          ks_object_reference_encode (a[i].target_ref, b);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static void
endpoints_encode (const KsObject *obj, JsonBuilder *b, gint64 epoch)
{
  const KsEndpoints *ep = KS_ENDPOINTS (obj);

  if (ep->n_subsets == 0)
    return;
  json_builder_set_member_name (b, "subsets");
  json_builder_begin_array (b);
  for (guint i = 0; i < ep->n_subsets; i++)
    {
      const KsEndpointSubset *s = &ep->subsets[i];
      json_builder_begin_object (b);
      addresses_encode (b, "addresses", s->addresses, s->n_addresses);
      addresses_encode (b, "notReadyAddresses", s->not_ready_addresses, s->n_not_ready_addresses);
      if (s->n_ports > 0)
        {
          json_builder_set_member_name (b, "ports");
          json_builder_begin_array (b);
          for (guint j = 0; j < s->n_ports; j++)
            {
              json_builder_begin_object (b);
              if (s->ports[j].name != NULL)
                ks_builder_add_string (b, "name", s->ports[j].name);
              ks_builder_add_int (b, "port", s->ports[j].port);
              ks_builder_add_string (b, "protocol", s->ports[j].protocol);
              json_builder_end_object (b);
            }
          json_builder_end_array (b);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static void
endpoints_copy (KsObject *dst_obj, const KsObject *src_obj)
{
  KsEndpoints *dst = KS_ENDPOINTS (dst_obj);
  const KsEndpoints *src = KS_ENDPOINTS (src_obj);

  dst->subsets = g_new0 (KsEndpointSubset, MAX (src->n_subsets, 1));
  for (guint i = 0; i < src->n_subsets; i++)
    ks_endpoint_subset_copy (&dst->subsets[i], &src->subsets[i]);
}

static void
endpoints_finalize (KsObject *obj)
{
  KsEndpoints *ep = KS_ENDPOINTS (obj);

  for (guint i = 0; i < ep->n_subsets; i++)
    ks_endpoint_subset_clear (&ep->subsets[i]);
  g_free (ep->subsets);
}

const KsKind ks_endpoints_kind = {
  .id = KS_KIND_ENDPOINTS,
  .name = "Endpoints",
  .api_version = "v1",
  .group = "",
  .plural = "endpoints",
  .short_name = "ep",
  .namespaced = TRUE,
  .has_generation = FALSE,
  .size = sizeof (KsEndpoints),
  .decode = endpoints_decode,
  .encode = endpoints_encode,
  .copy = endpoints_copy,
  .finalize = endpoints_finalize,
};

/* EndpointSlice */

static const char *const address_types[] = { "IPv4", "IPv6", "FQDN", NULL };

KsEndpointSlice *
ks_endpoint_slice_new (const char *ns, const char *name, const char *prefix)
{
  KsEndpointSlice *slice = (KsEndpointSlice *) ks_object_new (&ks_endpoint_slice_kind);

  slice->parent.meta.name = g_strdup (name);
  slice->parent.meta.generate_name = prefix != NULL ? ks_intern (prefix) : NULL;
  slice->parent.meta.namespace = ns != NULL ? ks_intern (ns) : NULL;
  slice->address_type = address_types[0];
  slice->endpoints = g_new0 (KsSliceEndpoint, 1);
  slice->ports = g_new0 (KsSlicePort, 1);
  return slice;
}

void
ks_slice_endpoint_clear (KsSliceEndpoint *e)
{
  g_strfreev (e->addresses);
  g_free (e->hostname);
  g_free (e->node_name);
  g_free (e->zone);
  ks_object_reference_free (e->target_ref);
  memset (e, 0, sizeof *e);
}

void
ks_slice_endpoint_copy (KsSliceEndpoint *dst, const KsSliceEndpoint *src)
{
  *dst = *src;
  dst->addresses = g_strdupv (src->addresses);
  dst->hostname = g_strdup (src->hostname);
  dst->node_name = g_strdup (src->node_name);
  dst->zone = g_strdup (src->zone);
  dst->target_ref = ks_object_reference_dup (src->target_ref);
}

gboolean
ks_slice_endpoint_equal (const KsSliceEndpoint *a, const KsSliceEndpoint *b)
{
  const KsObjectReference *x = a->target_ref, *y = b->target_ref;

  if (a->ready != b->ready || a->serving != b->serving || a->terminating != b->terminating
      || g_strcmp0 (a->hostname, b->hostname) != 0 || g_strcmp0 (a->node_name, b->node_name) != 0
      || g_strcmp0 (a->zone, b->zone) != 0 || (x == NULL) != (y == NULL))
    return FALSE;
  if (!g_strv_equal ((const char *const *) a->addresses, (const char *const *) b->addresses))
    return FALSE;
  return x == NULL
         || (g_strcmp0 (x->kind, y->kind) == 0 && g_strcmp0 (x->namespace, y->namespace) == 0
             && g_strcmp0 (x->name, y->name) == 0 && ks_uid_equal (&x->uid, &y->uid));
}

void
ks_endpoint_slice_take_endpoints (KsEndpointSlice *slice, KsSliceEndpoint *endpoints, guint n)
{
  for (guint i = 0; i < slice->n_endpoints; i++)
    ks_slice_endpoint_clear (&slice->endpoints[i]);
  g_free (slice->endpoints);
  slice->endpoints = endpoints;
  slice->n_endpoints = n;
}

void
ks_endpoint_slice_take_ports (KsEndpointSlice *slice, KsSlicePort *ports, guint n)
{
  for (guint i = 0; i < slice->n_ports; i++)
    g_free (slice->ports[i].name);
  g_free (slice->ports);
  slice->ports = ports;
  slice->n_ports = n;
}

static gint8
condition_decode (KsDecoder *dec, JsonNode *obj, const char *field)
{
  gboolean v = FALSE;
  JsonNode *m = ks_decoder_member (obj, field);

  if (m == NULL || JSON_NODE_HOLDS_NULL (m) || !ks_decoder_get_bool (dec, obj, field, &v))
    return -1;
  return v ? 1 : 0;
}

typedef struct
{
  const char *address_type;
} SliceContext;

static gboolean
slice_endpoint_decode (KsDecoder *dec, JsonNode *item, gpointer slot, gpointer data)
{
  const SliceContext *ctx = data;
  KsSliceEndpoint *e = slot;
  guint errors = ks_decoder_n_errors (dec);
  JsonNode *m;
  const char *why;

  e->ready = e->serving = e->terminating = -1;
  if (ks_decoder_member (item, "addresses") == NULL)
    ks_decoder_error_field (dec, item, "addresses",
                            "Required value: must contain at least 1 address");
  else if (ks_decoder_get_strv (dec, item, "addresses", &e->addresses))
    {
      guint n = e->addresses != NULL ? g_strv_length (e->addresses) : 0;
      gsize mark = ks_decoder_push (dec, "addresses");
      JsonArray *a = json_node_get_array (ks_decoder_member (item, "addresses"));
      if (n == 0)
        ks_decoder_error (dec, ks_decoder_member (item, "addresses"),
                          "Required value: must contain at least 1 address");
      else if (n > 100)
        ks_decoder_error (dec, ks_decoder_member (item, "addresses"),
                          "Too many: %u: must have at most 100 items", n);
      for (guint i = 0; i < n; i++)
        {
          gboolean ok = strcmp (ctx->address_type, "FQDN") == 0
                            ? ks_validate_dns1123_subdomain (e->addresses[i]) == NULL
                        : strcmp (ctx->address_type, "IPv4") == 0
                            ? is_ipv4 (e->addresses[i])
                            : ks_ip_is_valid (e->addresses[i]) && !is_ipv4 (e->addresses[i]);
          if (!ok)
            {
              gsize mark2 = ks_decoder_push_index (dec, i);
              ks_decoder_error (dec, json_array_get_element (a, i),
                                "Invalid value: \"%s\": must be a valid %s address",
                                e->addresses[i], ctx->address_type);
              ks_decoder_pop (dec, mark2);
            }
        }
      ks_decoder_pop (dec, mark);
    }
  if ((m = ks_decoder_member (item, "conditions")) != NULL)
    {
      static const char *const fields[] = { "ready", "serving", "terminating", NULL };
      gsize mark = ks_decoder_push (dec, "conditions");
      if (ks_decoder_expect_object (dec, m))
        {
          ks_decoder_check_fields (dec, m, fields);
          e->ready = condition_decode (dec, m, "ready");
          e->serving = condition_decode (dec, m, "serving");
          e->terminating = condition_decode (dec, m, "terminating");
        }
      ks_decoder_pop (dec, mark);
    }
  if (ks_decoder_get_string (dec, item, "hostname", &e->hostname) && e->hostname != NULL
      && (why = label_message (e->hostname)) != NULL)
    ks_decoder_error_field (dec, item, "hostname", "Invalid value: \"%s\": %s", e->hostname, why);
  if (ks_decoder_get_string (dec, item, "nodeName", &e->node_name) && e->node_name != NULL
      && ks_validate_dns1123_subdomain (e->node_name) != NULL)
    ks_decoder_error_field (dec, item, "nodeName",
                            "Invalid value: \"%s\": " DNS1123_SUBDOMAIN_MESSAGE, e->node_name);
  ks_decoder_get_string (dec, item, "zone", &e->zone);
  if ((m = ks_decoder_member (item, "targetRef")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "targetRef");
      e->target_ref = g_new0 (KsObjectReference, 1);
      ks_object_reference_decode (dec, m, e->target_ref);
      ks_decoder_pop (dec, mark);
    }
  if (ks_decoder_n_errors (dec) != errors)
    {
      ks_slice_endpoint_clear (e);
      return FALSE;
    }
  return TRUE;
}

static gboolean
slice_port_decode (KsDecoder *dec, JsonNode *item, gpointer slot, gpointer unused)
{
  KsSlicePort *p = slot;
  guint errors = ks_decoder_n_errors (dec);
  gint64 port = 0;
  const char *why;

  if (ks_decoder_get_string (dec, item, "name", &p->name) && p->name != NULL && p->name[0] != '\0'
      && (why = label_message (p->name)) != NULL)
    ks_decoder_error_field (dec, item, "name", "Invalid value: \"%s\": %s", p->name, why);
  if (ks_decoder_get_int64 (dec, item, "port", &port) && (port < 0 || port > 65535))
    ks_decoder_error_field (
        dec, item, "port",
        "Invalid value: %" G_GINT64_FORMAT ": must be between 1 and 65535, inclusive", port);
  p->port = (gint32) CLAMP (port, 0, 65535);
  p->protocol = protocol_decode (dec, item);
  if (ks_decoder_n_errors (dec) != errors)
    {
      g_clear_pointer (&p->name, g_free);
      return FALSE;
    }
  return TRUE;
}

static void
endpoint_slice_decode (KsDecoder *dec, JsonNode *node, KsObject *obj)
{
  KsEndpointSlice *slice = KS_ENDPOINT_SLICE (obj);
  SliceContext ctx;
  int type = 0;
  JsonNode *m;

  if (ks_decoder_member (node, "addressType") == NULL)
    ks_decoder_error_field (dec, node, "addressType", "Required value");
  else
    get_enum (dec, node, "addressType", address_types, "\"FQDN\", \"IPv4\", \"IPv6\"", &type);
  slice->address_type = address_types[type];
  ctx.address_type = slice->address_type;
  if ((m = ks_decoder_member (node, "endpoints")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "endpoints");
      slice->endpoints = ks_decoder_list (dec, m, sizeof (KsSliceEndpoint), slice_endpoint_decode,
                                          &ctx, &slice->n_endpoints);
      if (slice->n_endpoints > 1000)
        ks_decoder_error (dec, m, "Too many: %u: must have at most 1000 items", slice->n_endpoints);
      ks_decoder_pop (dec, mark);
    }
  if ((m = ks_decoder_member (node, "ports")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "ports");
      slice->ports = ks_decoder_list (dec, m, sizeof (KsSlicePort), slice_port_decode, NULL,
                                      &slice->n_ports);
      for (guint i = 0; i < slice->n_ports; i++)
        for (guint j = 0; j < i; j++)
          if (g_strcmp0 (slice->ports[i].name ? slice->ports[i].name : "",
                         slice->ports[j].name ? slice->ports[j].name : "")
              == 0)
            {
              gsize mark2 = ks_decoder_push_index (dec, i);
              ks_decoder_error_field (dec, json_array_get_element (json_node_get_array (m), i),
                                      "name", "Duplicate value: \"%s\"",
                                      slice->ports[i].name ? slice->ports[i].name : "");
              ks_decoder_pop (dec, mark2);
            }
      ks_decoder_pop (dec, mark);
    }
  if (slice->endpoints == NULL)
    slice->endpoints = g_new0 (KsSliceEndpoint, 1);
  if (slice->ports == NULL)
    slice->ports = g_new0 (KsSlicePort, 1);
}

static void
condition_encode (JsonBuilder *b, const char *member, gint8 v)
{
  if (v >= 0)
    ks_builder_add_bool (b, member, v == 1);
}

static void
endpoint_slice_encode (const KsObject *obj, JsonBuilder *b, gint64 epoch)
{
  const KsEndpointSlice *slice = KS_ENDPOINT_SLICE (obj);

  ks_builder_add_string (b, "addressType", slice->address_type);
  /* endpoints is required (no omitempty): [] when empty. */
  json_builder_set_member_name (b, "endpoints");
  json_builder_begin_array (b);
  for (guint i = 0; i < slice->n_endpoints; i++)
    {
      const KsSliceEndpoint *e = &slice->endpoints[i];
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "addresses");
      json_builder_begin_array (b);
      for (guint j = 0; e->addresses != NULL && e->addresses[j] != NULL; j++)
        json_builder_add_string_value (b, e->addresses[j]);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "conditions");
      json_builder_begin_object (b);
      condition_encode (b, "ready", e->ready);
      condition_encode (b, "serving", e->serving);
      condition_encode (b, "terminating", e->terminating);
      json_builder_end_object (b);
      if (e->hostname != NULL)
        ks_builder_add_string (b, "hostname", e->hostname);
      if (e->target_ref != NULL)
        {
          json_builder_set_member_name (b, "targetRef");
          ks_object_reference_encode (e->target_ref, b);
        }
      if (e->node_name != NULL)
        ks_builder_add_string (b, "nodeName", e->node_name);
      if (e->zone != NULL)
        ks_builder_add_string (b, "zone", e->zone);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (slice->n_ports > 0)
    {
      json_builder_set_member_name (b, "ports");
      json_builder_begin_array (b);
      for (guint i = 0; i < slice->n_ports; i++)
        {
          json_builder_begin_object (b);
          ks_builder_add_string (b, "name", slice->ports[i].name ? slice->ports[i].name : "");
          ks_builder_add_string (b, "protocol", slice->ports[i].protocol);
          if (slice->ports[i].port > 0)
            ks_builder_add_int (b, "port", slice->ports[i].port);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
}

static void
endpoint_slice_copy (KsObject *dst_obj, const KsObject *src_obj)
{
  KsEndpointSlice *dst = KS_ENDPOINT_SLICE (dst_obj);
  const KsEndpointSlice *src = KS_ENDPOINT_SLICE (src_obj);

  dst->endpoints = g_new0 (KsSliceEndpoint, MAX (src->n_endpoints, 1));
  for (guint i = 0; i < src->n_endpoints; i++)
    ks_slice_endpoint_copy (&dst->endpoints[i], &src->endpoints[i]);
  dst->ports = g_new0 (KsSlicePort, MAX (src->n_ports, 1));
  for (guint i = 0; i < src->n_ports; i++)
    {
      dst->ports[i] = src->ports[i];
      dst->ports[i].name = g_strdup (src->ports[i].name);
    }
}

static void
endpoint_slice_finalize (KsObject *obj)
{
  KsEndpointSlice *slice = KS_ENDPOINT_SLICE (obj);

  ks_endpoint_slice_take_endpoints (slice, NULL, 0);
  ks_endpoint_slice_take_ports (slice, NULL, 0);
}

const KsKind ks_endpoint_slice_kind = {
  .id = KS_KIND_ENDPOINT_SLICE,
  .name = "EndpointSlice",
  .api_version = "discovery.k8s.io/v1",
  .group = "discovery.k8s.io",
  .plural = "endpointslices",
  .short_name = NULL,
  .namespaced = TRUE,
  .has_generation = TRUE,
  .size = sizeof (KsEndpointSlice),
  .decode = endpoint_slice_decode,
  .encode = endpoint_slice_encode,
  .copy = endpoint_slice_copy,
  .finalize = endpoint_slice_finalize,
};
