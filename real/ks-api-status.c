/* ks-api-status.c: store error codes, HTTP codes and Status objects (see ks-api-status.h). */
#include "config.h"

#include <string.h>

#include "ks-api-status.h"

static const struct
{
  KsStoreError code;
  guint http;
  const char *reason;
} store_errors[] = {
  { KS_STORE_ERROR_NOT_FOUND, 404, "NotFound" },
  { KS_STORE_ERROR_ALREADY_EXISTS, 409, "AlreadyExists" },
  { KS_STORE_ERROR_CONFLICT, 409, "Conflict" },
  { KS_STORE_ERROR_INVALID, 422, "Invalid" },
  { KS_STORE_ERROR_FORBIDDEN, 403, "Forbidden" },
  { KS_STORE_ERROR_BAD_REQUEST, 400, "BadRequest" },
  { KS_STORE_ERROR_INTERNAL, 500, "InternalError" },
};

guint
ks_api_store_error_code (KsStoreError code)
{
  for (guint i = 0; i < G_N_ELEMENTS (store_errors); i++)
    if (store_errors[i].code == code)
      return store_errors[i].http;
  return 500;
}

const char *
ks_api_store_error_reason (KsStoreError code)
{
  for (guint i = 0; i < G_N_ELEMENTS (store_errors); i++)
    if (store_errors[i].code == code)
      return store_errors[i].reason;
  return "InternalError";
}

gboolean
ks_api_store_error_from_reason (const char *reason, KsStoreError *out)
{
  if (reason == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (store_errors); i++)
    if (strcmp (store_errors[i].reason, reason) == 0)
      {
        *out = store_errors[i].code;
        return TRUE;
      }
  return FALSE;
}

char *
ks_api_status_json (const char *status, guint code, const char *reason, const char *message,
                    gboolean with_details, const char *name, const char *group, const char *kind,
                    const char *uid, const KsApiCause *causes, guint n_causes)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, "Status");
  json_builder_set_member_name (b, "apiVersion");
  json_builder_add_string_value (b, "v1");
  json_builder_set_member_name (b, "metadata");
  json_builder_begin_object (b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, status);
  if (message != NULL)
    {
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, message);
    }
  if (reason != NULL)
    {
      json_builder_set_member_name (b, "reason");
      json_builder_add_string_value (b, reason);
    }
  if (with_details)
    {
      json_builder_set_member_name (b, "details");
      json_builder_begin_object (b);
      if (name != NULL)
        {
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, name);
        }
      if (group != NULL && group[0] != '\0')
        {
          json_builder_set_member_name (b, "group");
          json_builder_add_string_value (b, group);
        }
      if (kind != NULL)
        {
          json_builder_set_member_name (b, "kind");
          json_builder_add_string_value (b, kind);
        }
      if (uid != NULL)
        {
          json_builder_set_member_name (b, "uid");
          json_builder_add_string_value (b, uid);
        }
      if (n_causes > 0)
        {
          json_builder_set_member_name (b, "causes");
          json_builder_begin_array (b);
          for (guint i = 0; i < n_causes; i++)
            {
              json_builder_begin_object (b);
              json_builder_set_member_name (b, "reason");
              json_builder_add_string_value (b, causes[i].reason);
              json_builder_set_member_name (b, "message");
              json_builder_add_string_value (b, causes[i].message);
              if (causes[i].field != NULL)
                {
                  json_builder_set_member_name (b, "field");
                  json_builder_add_string_value (b, causes[i].field);
                }
              json_builder_end_object (b);
            }
          json_builder_end_array (b);
        }
      json_builder_end_object (b);
    }
  if (code != 0)
    {
      json_builder_set_member_name (b, "code");
      json_builder_add_int_value (b, code);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}
