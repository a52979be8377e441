/* test-yaml.c: tests for the YAML/JSON reader (src/api/ks-yaml.c): scalar typing as go-yaml v2
 * does it, positions, anchors and merge keys, JSON input, errors and their messages.
 *
 * The trace test loads the Alibaba GPU node list when it can find it: set KS_TRACES_DIR to the
 * folder holding alibaba-gpu-v2023/, or keep shared/traces/ beside (or above) the source tree. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "api/ks-yaml-emit.h"
#include "api/ks-yaml.h"

/* ---- helpers ---------------------------------------------------------------------------- */

static KsSource *
parse_ok (const char *text)
{
  g_autoptr (GError) error = NULL;
  KsSource *source = ks_source_new_from_data ("test.yaml", text, -1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (source);
  return source;
}

/* Parses text, expects a syntax error, returns its message. */
static char *
parse_error (const char *text)
{
  g_autoptr (GError) error = NULL;
  KsSource *source = ks_source_new_from_data ("test.yaml", text, -1, &error);

  g_assert_null (source);
  g_assert_error (error, KS_YAML_ERROR, KS_YAML_ERROR_SYNTAX);
  return g_strdup (error->message);
}

static void
assert_parse_error (const char *text, const char *expected)
{
  g_autofree char *message = parse_error (text);

  g_assert_cmpstr (message, ==, expected);
}

/* Follows a path like "spec.containers[0].name" from node; NULL if it leads nowhere. */
static JsonNode *
walk (JsonNode *node, const char *path)
{
  const char *p = path;

  while (node != NULL && *p != '\0')
    {
      if (*p == '.')
        p++;
      if (*p == '[')
        {
          char *end = NULL;
          guint64 index = g_ascii_strtoull (p + 1, &end, 10);

          g_assert_true (end != NULL && *end == ']');
          if (!JSON_NODE_HOLDS_ARRAY (node)
              || index >= json_array_get_length (json_node_get_array (node)))
            return NULL;
          node = json_array_get_element (json_node_get_array (node), (guint) index);
          p = end + 1;
        }
      else
        {
          gsize len = strcspn (p, ".[");
          g_autofree char *name = g_strndup (p, len);

          if (!JSON_NODE_HOLDS_OBJECT (node))
            return NULL;
          node = json_object_get_member (json_node_get_object (node), name);
          p += len;
        }
    }
  return node;
}

static JsonNode *
doc_get (KsSource *source, guint index, const char *path)
{
  JsonNode *node;

  g_assert_cmpuint (index, <, ks_source_get_n_documents (source));
  node = walk (ks_source_get_document (source, index), path);
  g_assert_nonnull (node);
  return node;
}

static void
assert_position (KsSource *source, JsonNode *node, guint line, guint column)
{
  guint l = 0, c = 0;

  g_assert_true (ks_source_get_position (source, node, &l, &c));
  g_assert_cmpuint (l, ==, line);
  g_assert_cmpuint (c, ==, column);
}

static void
assert_key_position (KsSource *source, JsonNode *object, const char *name, guint line, guint column)
{
  guint l = 0, c = 0;

  g_assert_true (ks_source_get_key_position (source, object, name, &l, &c));
  g_assert_cmpuint (l, ==, line);
  g_assert_cmpuint (c, ==, column);
}

/* Parses "v: <value>" and returns a new reference to the source; *node is v's value. */
static KsSource *
parse_value (const char *value, JsonNode **node)
{
  g_autofree char *text = g_strdup_printf ("v: %s\n", value);
  KsSource *source = parse_ok (text);

  *node = doc_get (source, 0, "v");
  return source;
}

static void
assert_null (const char *value)
{
  JsonNode *node;
  g_autoptr (KsSource) source = parse_value (value, &node);

  g_assert_cmpuint (ks_source_get_n_documents (source), ==, 1);
  g_test_message ("null: %s", value);
  g_assert_cmpint (JSON_NODE_TYPE (node), ==, JSON_NODE_NULL);
}

static void
assert_bool (const char *value, gboolean expected)
{
  JsonNode *node;
  g_autoptr (KsSource) source = parse_value (value, &node);

  g_assert_cmpuint (ks_source_get_n_documents (source), ==, 1);
  g_test_message ("bool: %s", value);
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_BOOLEAN);
  g_assert_cmpint (json_node_get_boolean (node), ==, expected);
}

static void
assert_int (const char *value, gint64 expected)
{
  JsonNode *node;
  g_autoptr (KsSource) source = parse_value (value, &node);

  g_assert_cmpuint (ks_source_get_n_documents (source), ==, 1);
  g_test_message ("int: %s", value);
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_INT64);
  g_assert_cmpint (json_node_get_int (node), ==, expected);
}

static void
assert_double (const char *value, double expected)
{
  JsonNode *node;
  g_autoptr (KsSource) source = parse_value (value, &node);

  g_assert_cmpuint (ks_source_get_n_documents (source), ==, 1);
  g_test_message ("double: %s", value);
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_DOUBLE);
  if (isnan (expected))
    g_assert_true (isnan (json_node_get_double (node)));
  else
    g_assert_cmpfloat (json_node_get_double (node), ==, expected);
}

static void
assert_string (const char *value, const char *expected)
{
  JsonNode *node;
  g_autoptr (KsSource) source = parse_value (value, &node);

  g_assert_cmpuint (ks_source_get_n_documents (source), ==, 1);
  g_test_message ("string: %s", value);
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_STRING);
  g_assert_cmpstr (json_node_get_string (node), ==, expected);
}

/* ---- scalars ------------------------------------------------------------------------------ */

static void
test_scalars_null (void)
{
  static const char *const nulls[] = {
    "", "~", "null", "Null", "NULL", "!!null ''", "!!null ~", "!<tag:yaml.org,2002:null> null"
  };

  for (gsize i = 0; i < G_N_ELEMENTS (nulls); i++)
    assert_null (nulls[i]);
  assert_string ("nULL", "nULL");
  assert_string ("\"null\"", "null");
  assert_string ("'~'", "~");
  assert_string ("nil", "nil");
  assert_string ("None", "None");
}

static void
test_scalars_bool (void)
{
  static const char *const trues[]
      = { "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON" };
  static const char *const falses[]
      = { "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF" };

  for (gsize i = 0; i < G_N_ELEMENTS (trues); i++)
    assert_bool (trues[i], TRUE);
  for (gsize i = 0; i < G_N_ELEMENTS (falses); i++)
    assert_bool (falses[i], FALSE);
  /* Other spellings are strings. */
  assert_string ("tRUE", "tRUE");
  assert_string ("yES", "yES");
  assert_string ("oN", "oN");
  assert_string ("t", "t");
  assert_string ("f", "f");
  assert_string ("yes please", "yes please");
  assert_string ("\"true\"", "true");
  assert_string ("'no'", "no");
  assert_string ("|\n  true", "true\n");
}

static void
test_scalars_int (void)
{
  assert_int ("0", 0);
  assert_int ("1", 1);
  assert_int ("-1", -1);
  assert_int ("+1", 1);
  assert_int ("-0", 0);
  assert_int ("1001", 1001);
  assert_int ("1_000", 1000);
  assert_int ("1__0_", 10); /* v2 removes every underscore before parsing */
  assert_int ("-_1", -1);
  assert_int ("0x1F", 31);
  assert_int ("0X1f", 31);
  assert_int ("-0x10", -16);
  assert_int ("0x_ff", 255);
  assert_int ("0o17", 15);
  assert_int ("0O17", 15);
  assert_int ("0777", 511);
  assert_int ("00", 0);
  assert_int ("0b101", 5);
  assert_int ("0B11", 3);
  assert_int ("-0b11", -3);
  assert_int ("0b-101", -5); /* v2's explicit base-2 retry accepts a sign after "0b" */
  assert_int ("9223372036854775807", G_MAXINT64);
  assert_int ("-9223372036854775808", G_MININT64);
  assert_int ("0x7FFFFFFFFFFFFFFF", G_MAXINT64);
  /* Not integers. */
  assert_string ("0x", "0x");
  assert_string ("0b", "0b");
  assert_string ("0x1G", "0x1G");
  assert_string ("1:30", "1:30");
  assert_string ("_1", "_1");
  assert_string ("--1", "--1");
  assert_string ("-a", "-a");
  assert_string ("+", "+");
  assert_string ("1 2", "1 2");
  assert_string ("123abc", "123abc");
  assert_string ("2001-12-14", "2001-12-14"); /* timestamps stay strings */
  assert_string ("2001-12-14T21:59:43.10Z", "2001-12-14T21:59:43.10Z");
  assert_string ("\"12\"", "12");
  assert_string ("'12'", "12");
  assert_string ("! 12", "12");
}

static void
test_scalars_int_overflow (void)
{
  JsonNode *node;

  /* Above G_MAXINT64 but a uint64 for v2: stored as a double, exact text kept. */
  {
    g_autoptr (KsSource) source = parse_value ("9223372036854775808", &node);

    g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_DOUBLE);
    g_assert_cmpfloat (json_node_get_double (node), ==, 9223372036854775808.0);
    g_assert_cmpstr (ks_source_get_text (source, node), ==, "9223372036854775808");
  }
  assert_double ("18446744073709551615", 18446744073709551615.0);
  assert_double ("0xFFFFFFFFFFFFFFFF", 18446744073709551615.0);
  assert_double ("0b1111111111111111111111111111111111111111111111111111111111111111",
                 18446744073709551615.0);
  /* Beyond uint64: v2 falls back to a float when the text looks like one... */
  assert_double ("18446744073709551616", 18446744073709551616.0);
  assert_double ("-9223372036854775809", -9223372036854775808.0);
  assert_double ("+9223372036854775808", 9223372036854775808.0);
  /* ...and keeps a string otherwise. */
  assert_string ("0x1FFFFFFFFFFFFFFFF", "0x1FFFFFFFFFFFFFFFF");
}

static void
test_scalars_float (void)
{
  assert_double ("1.5", 1.5);
  assert_double ("-1.5e3", -1500.0);
  assert_double ("1E3", 1000.0);
  assert_double ("1e+3", 1000.0);
  assert_double ("2.5e-1", 0.25);
  assert_double ("1.", 1.0);
  assert_double (".5", 0.5);
  assert_double ("-.5", -0.5);
  assert_double ("+.5", 0.5);
  assert_double (".5e1", 5.0);
  assert_double (".1_5", 0.15);
  assert_double ("1_000.5", 1000.5);
  assert_double ("08", 8.0); /* not octal, so v2 reads it as a float */
  assert_double ("09.5", 9.5);
  assert_double ("1e-400", 0.0); /* underflow is not an error in Go */
  assert_double ("0.1", 0.1);
  assert_double (".inf", INFINITY);
  assert_double (".Inf", INFINITY);
  assert_double (".INF", INFINITY);
  assert_double ("+.inf", INFINITY);
  assert_double ("+.Inf", INFINITY);
  assert_double ("+.INF", INFINITY);
  assert_double ("-.inf", -INFINITY);
  assert_double ("-.Inf", -INFINITY);
  assert_double ("-.INF", -INFINITY);
  assert_double (".nan", NAN);
  assert_double (".NaN", NAN);
  assert_double (".NAN", NAN);
  /* Not floats. */
  assert_string ("1e400", "1e400"); /* overflow: Go's ParseFloat fails, v2 keeps the text */
  assert_string (".InF", ".InF");
  assert_string (".nAn", ".nAn");
  assert_string ("inf", "inf");
  assert_string ("nan", "nan");
  assert_string (".", ".");
  assert_string (".e3", ".e3");
  assert_string ("._5", "._5");
  assert_string (".5_", ".5_");
  assert_string ("1e", "1e");
  assert_string ("1.2.3", "1.2.3");
  assert_string ("0x1p3", "0x1p3");
  assert_string ("1,5", "1,5");
  assert_string ("\"1.5\"", "1.5");
}

static void
test_scalars_string (void)
{
  assert_string ("hello", "hello");
  assert_string ("hello world", "hello world");
  assert_string ("64000m", "64000m");
  assert_string ("262144Mi", "262144Mi");
  assert_string ("\"a\\tb\\n\\u00e9\"", "a\tb\n\xc3\xa9");
  assert_string ("'it''s'", "it's");
  assert_string ("|\n  line1\n  line2\n", "line1\nline2\n");
  assert_string ("|-\n  line1\n  line2\n", "line1\nline2");
  assert_string (">\n  folded\n  text\n", "folded text\n");
  assert_string ("plain\n  continued", "plain continued");
  assert_string ("<<", "<<");
  assert_string ("\"\"", "");
  assert_string ("''", "");
}

static void
test_scalars_text (void)
{
  g_autoptr (KsSource) source = parse_ok ("cpu: 0.1\n"
                                          "hex: 0x10\n"
                                          "quoted: 'it''s'\n"
                                          "dq: \"a\\nb\"\n"
                                          "yes: yes\n"
                                          "empty:\n"
                                          "tilde: ~\n"
                                          "under: 1_000\n"
                                          "map: {a: 1}\n"
                                          "seq: [1]\n"
                                          "folded: >\n"
                                          "  a\n"
                                          "  b\n");
  JsonNode *root = ks_source_get_document (source, 0);

  g_assert_cmpfloat (json_node_get_double (walk (root, "cpu")), ==, 0.1);
  g_assert_cmpstr (ks_source_get_text (source, walk (root, "cpu")), ==, "0.1");
  g_assert_cmpint (json_node_get_int (walk (root, "hex")), ==, 16);
  g_assert_cmpstr (ks_source_get_text (source, walk (root, "hex")), ==, "0x10");
  g_assert_cmpstr (ks_source_get_text (source, walk (root, "quoted")), ==, "it's");
  g_assert_cmpstr (ks_source_get_text (source, walk (root, "dq")), ==, "a\nb");
  g_assert_cmpstr (ks_source_get_text (source, walk (root, "yes")), ==, "yes");
  g_assert_cmpstr (ks_source_get_text (source, walk (root, "empty")), ==, "");
  g_assert_cmpstr (ks_source_get_text (source, walk (root, "tilde")), ==, "~");
  g_assert_cmpstr (ks_source_get_text (source, walk (root, "under")), ==, "1_000");
  g_assert_cmpstr (ks_source_get_text (source, walk (root, "folded")), ==, "a b\n");
  g_assert_null (ks_source_get_text (source, walk (root, "map")));
  g_assert_null (ks_source_get_text (source, walk (root, "seq")));
  g_assert_cmpstr (ks_source_get_text (source, walk (root, "map.a")), ==, "1");
  g_assert_cmpstr (ks_source_get_text (source, walk (root, "seq[0]")), ==, "1");
  g_assert_null (ks_source_get_text (source, root));
  g_assert_null (ks_source_get_text (source, NULL));
}

/* ---- tags --------------------------------------------------------------------------------- */

static void
test_tags_explicit (void)
{
  assert_string ("!!str 1", "1");
  assert_string ("!!str true", "true");
  assert_string ("!!str ~", "~");
  assert_string ("!<tag:yaml.org,2002:str> 1.5", "1.5");
  assert_string ("! 12", "12");
  assert_string ("! true", "true");
  assert_int ("!!int \"12\"", 12);
  assert_int ("!!int 0x10", 16);
  assert_int ("!<tag:yaml.org,2002:int> 7", 7);
  assert_double ("!!float 1", 1.0);
  assert_double ("!!float '2.5'", 2.5);
  assert_double ("!!float .inf", INFINITY);
  assert_bool ("!!bool \"yes\"", TRUE);
  assert_bool ("!!bool off", FALSE);
  assert_null ("!!null \"\"");

  {
    g_autoptr (KsSource) source = parse_ok ("%TAG !e! tag:yaml.org,2002:\n"
                                            "---\n"
                                            "a: !e!int '5'\n"
                                            "b: !!map {c: !!seq [1]}\n");
    g_assert_cmpint (json_node_get_int (doc_get (source, 0, "a")), ==, 5);
    g_assert_cmpint (json_node_get_int (doc_get (source, 0, "b.c[0]")), ==, 1);
  }
}

static void
test_tags_mismatch (void)
{
  assert_parse_error ("x: !!int abc\n", "test.yaml:1:4: cannot decode !!str \"abc\" as !!int");
  assert_parse_error ("x: !!int 1.5\n", "test.yaml:1:4: cannot decode !!float \"1.5\" as !!int");
  assert_parse_error ("x: !!bool 1\n", "test.yaml:1:4: cannot decode !!int \"1\" as !!bool");
  assert_parse_error ("x: !!null 0\n", "test.yaml:1:4: cannot decode !!int \"0\" as !!null");
  assert_parse_error ("x: !!float yes\n", "test.yaml:1:4: cannot decode !!bool \"yes\" as !!float");
  assert_parse_error ("x: !!float 1e400\n",
                      "test.yaml:1:4: cannot decode !!str \"1e400\" as !!float");
  assert_parse_error ("!!int x: 1\n", "test.yaml:1:1: cannot decode !!str \"x\" as !!int");
}

static void
test_errors_unknown_tag (void)
{
  assert_parse_error ("x: !foo bar\n",
                      "test.yaml:1:4: unsupported tag \"!foo\" (supported: !!str, !!int, "
                      "!!float, !!bool, !!null, !!map, !!seq, and ! for a string)");
  assert_parse_error ("x: !!binary aGk=\n",
                      "test.yaml:1:4: unsupported tag \"!!binary\" (supported: !!str, !!int, "
                      "!!float, !!bool, !!null, !!map, !!seq, and ! for a string)");
  assert_parse_error ("x: !!timestamp 2001-12-14\n",
                      "test.yaml:1:4: unsupported tag \"!!timestamp\" (supported: !!str, "
                      "!!int, !!float, !!bool, !!null, !!map, !!seq, and ! for a string)");
  assert_parse_error ("x: !<tag:example.com,2000:thing> 1\n",
                      "test.yaml:1:4: unsupported tag \"tag:example.com,2000:thing\" "
                      "(supported: !!str, !!int, !!float, !!bool, !!null, !!map, !!seq, and ! "
                      "for a string)");
  assert_parse_error ("x: !Thing {a: 1}\n",
                      "test.yaml:1:4: unsupported tag \"!Thing\" (a mapping may only be tagged "
                      "!!map)");
  assert_parse_error ("x: !list [1]\n",
                      "test.yaml:1:4: unsupported tag \"!list\" (a sequence may only be tagged "
                      "!!seq)");
  assert_parse_error ("x: !!str {a: 1}\n", "test.yaml:1:4: tag !!str cannot be used on a mapping");
  assert_parse_error ("x: !!map [1]\n", "test.yaml:1:4: tag !!map cannot be used on a sequence");
  assert_parse_error ("x: !!seq 1\n", "test.yaml:1:4: tag !!seq cannot be used on this scalar");
  /* The non-specific tag is fine on collections too. */
  {
    g_autoptr (KsSource) source = parse_ok ("x: ! {a: ! [1]}\n");
    g_assert_cmpint (json_node_get_int (doc_get (source, 0, "x.a[0]")), ==, 1);
  }
}

/* ---- keys --------------------------------------------------------------------------------- */

static void
test_keys_non_string (void)
{
  g_autoptr (KsSource) source = parse_ok ("1: a\n"
                                          "true: b\n"
                                          "~: c\n"
                                          "1.50: d\n"
                                          "0x10: e\n"
                                          "yes: f\n"
                                          "? \"\"\n"
                                          ": g\n"
                                          "'quoted': h\n"
                                          "!!str 2: i\n");
  JsonNode *root = ks_source_get_document (source, 0);
  JsonObject *object = json_node_get_object (root);
  static const char *const keys[] = { "1", "true", "~", "1.50", "0x10", "yes", "", "quoted", "2" };

  g_assert_cmpuint (json_object_get_size (object), ==, G_N_ELEMENTS (keys));
  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    g_assert_true (json_object_has_member (object, keys[i]));
  g_assert_cmpstr (json_object_get_string_member (object, "1.50"), ==, "d");
  g_assert_cmpstr (json_object_get_string_member (object, ""), ==, "g");
  assert_key_position (source, root, "1.50", 4, 1);
  assert_key_position (source, root, "quoted", 9, 1);
}

static void
test_keys_order (void)
{
  g_autoptr (KsSource) source = parse_ok ("zeta: 1\nalpha: 2\nmid: 3\n");
  JsonObjectIter iter;
  const char *name;
  static const char *const order[] = { "zeta", "alpha", "mid" };
  guint i = 0;

  json_object_iter_init_ordered (&iter, json_node_get_object (ks_source_get_document (source, 0)));
  while (json_object_iter_next_ordered (&iter, &name, NULL))
    g_assert_cmpstr (name, ==, order[i++]);
  g_assert_cmpuint (i, ==, 3);
}

static void
test_errors_duplicate_key (void)
{
  assert_parse_error ("metadata:\n"
                      "  name: a\n"
                      "  labels: {}\n"
                      "  name: b\n",
                      "test.yaml:4:3: duplicate key \"name\" (first at line 2, column 3)");
  assert_parse_error ("{\"a\": 1, \"b\": 2, \"a\": 3}",
                      "test.yaml:1:18: duplicate key \"a\" (first at line 1, column 2)");
  /* Keys are compared by text after typing-free unquoting. */
  assert_parse_error ("1: a\n'1': b\n",
                      "test.yaml:2:1: duplicate key \"1\" (first at line 1, column 1)");
  /* Same key in different mappings is fine. */
  {
    g_autoptr (KsSource) source = parse_ok ("a: {name: 1}\nb: {name: 2}\n");
    g_assert_cmpint (ks_source_get_n_documents (source), ==, 1);
  }
}

static void
test_errors_non_scalar_key (void)
{
  assert_parse_error ("[1, 2]: x\n", "test.yaml:1:1: mapping keys must be scalars, not sequences");
  assert_parse_error ("? {a: 1}\n: x\n",
                      "test.yaml:1:3: mapping keys must be scalars, not mappings");
  assert_parse_error ("a: &m {b: 1}\n*m : x\n",
                      "test.yaml:2:1: mapping keys must be scalars (alias *m is a mapping)");
}

/* ---- positions ---------------------------------------------------------------------------- */

static const char pod_yaml[] = "apiVersion: v1\n"                        /* 1 */
                               "kind: Pod\n"                             /* 2 */
                               "metadata:\n"                             /* 3 */
                               "  name: web\n"                           /* 4 */
                               "  labels: {app: web, tier: \"front\"}\n" /* 5 */
                               "spec:\n"                                 /* 6 */
                               "  containers:\n"                         /* 7 */
                               "    - name: c1\n"                        /* 8 */
                               "      image: nginx\n"                    /* 9 */
                               "      args:\n"                           /* 10 */
                               "        - \"--port=80\"\n"               /* 11 */
                               "      resources: {limits: {cpu: 0.5}}\n" /* 12 */
                               "  nodeName:\n"                           /* 13 */
                               "  priority: 10 # comment\n";             /* 14 */

static void
test_positions (void)
{
  g_autoptr (KsSource) source = parse_ok (pod_yaml);
  JsonNode *root = ks_source_get_document (source, 0);

  assert_position (source, root, 1, 1);
  assert_position (source, walk (root, "apiVersion"), 1, 13);
  assert_key_position (source, root, "apiVersion", 1, 1);
  assert_key_position (source, root, "metadata", 3, 1);
  /* A block mapping starts at its first key. */
  assert_position (source, walk (root, "metadata"), 4, 3);
  assert_position (source, walk (root, "metadata.name"), 4, 9);
  assert_key_position (source, walk (root, "metadata"), "name", 4, 3);
  assert_position (source, walk (root, "metadata.labels"), 5, 11);
  assert_key_position (source, walk (root, "metadata.labels"), "app", 5, 12);
  assert_position (source, walk (root, "metadata.labels.app"), 5, 17);
  assert_key_position (source, walk (root, "metadata.labels"), "tier", 5, 22);
  assert_position (source, walk (root, "metadata.labels.tier"), 5, 28);
  /* A block sequence starts at its first "-", an item after it. */
  assert_position (source, walk (root, "spec.containers"), 8, 5);
  assert_position (source, walk (root, "spec.containers[0]"), 8, 7);
  assert_position (source, walk (root, "spec.containers[0].name"), 8, 13);
  assert_key_position (source, walk (root, "spec.containers[0]"), "image", 9, 7);
  assert_position (source, walk (root, "spec.containers[0].args[0]"), 11, 11);
  assert_position (source, walk (root, "spec.containers[0].resources.limits.cpu"), 12, 33);
  assert_key_position (source, walk (root, "spec.containers[0].resources.limits"), "cpu", 12, 28);
  assert_key_position (source, walk (root, "spec"), "nodeName", 13, 3);
  assert_position (source, walk (root, "spec.priority"), 14, 13);
  g_assert_cmpint (JSON_NODE_TYPE (walk (root, "spec.nodeName")), ==, JSON_NODE_NULL);
  g_assert_true (ks_source_get_position (source, walk (root, "spec.nodeName"), NULL, NULL));
}

static void
test_positions_multi_document (void)
{
  g_autoptr (KsSource) source = parse_ok ("a: 1\n"
                                          "---\n"
                                          "# comment\n"
                                          "b:\n"
                                          "  - x\n"
                                          "--- [1, 2]\n");

  g_assert_cmpuint (ks_source_get_n_documents (source), ==, 3);
  assert_position (source, doc_get (source, 1, "b[0]"), 5, 5);
  assert_key_position (source, ks_source_get_document (source, 1), "b", 4, 1);
  assert_position (source, ks_source_get_document (source, 2), 6, 5);
  assert_position (source, doc_get (source, 2, "[1]"), 6, 9);
}

static void
test_positions_unicode (void)
{
  /* Columns count characters, not bytes. */
  g_autoptr (KsSource) source = parse_ok ("\xc3\xa9t\xc3\xa9: \xe2\x82\xac 1\nx: [\xc3\xa9, 2]\n");

  assert_position (source, doc_get (source, 0, "\xc3\xa9t\xc3\xa9"), 1, 6);
  assert_position (source, doc_get (source, 0, "x[1]"), 2, 8);
}

static void
test_positions_foreign (void)
{
  g_autoptr (KsSource) source = parse_ok ("a: {b: 1}\n");
  g_autoptr (KsSource) other = parse_ok ("a: {b: 1}\n");
  g_autoptr (JsonNode) loose = json_node_new (JSON_NODE_NULL);
  JsonNode *root = ks_source_get_document (source, 0);
  guint line = 99, column = 99;

  g_assert_false (ks_source_get_position (source, loose, &line, &column));
  g_assert_cmpuint (line, ==, 0);
  g_assert_cmpuint (column, ==, 0);
  g_assert_false (
      ks_source_get_position (source, ks_source_get_document (other, 0), &line, &column));
  g_assert_null (ks_source_get_text (source, doc_get (other, 0, "a.b")));
  g_assert_false (ks_source_get_position (source, NULL, &line, &column));

  line = column = 99;
  g_assert_false (ks_source_get_key_position (source, root, "missing", &line, &column));
  g_assert_cmpuint (line, ==, 0);
  g_assert_cmpuint (column, ==, 0);
  g_assert_false (ks_source_get_key_position (source, walk (root, "a.b"), "b", &line, &column));
  g_assert_false (
      ks_source_get_key_position (source, ks_source_get_document (other, 0), "a", &line, &column));
  g_assert_false (ks_source_get_key_position (source, NULL, "a", &line, &column));
  g_assert_true (ks_source_get_key_position (source, walk (root, "a"), "b", &line, &column));
  g_assert_cmpuint (line, ==, 1);
  g_assert_cmpuint (column, ==, 5);
}

static void
test_parents (void)
{
  g_autoptr (KsSource) source = parse_ok ("base: &b {x: [1]}\n"
                                          "a: [*b]\n"
                                          "m: {<<: *b, y: 2}\n");
  JsonNode *root = ks_source_get_document (source, 0);

  g_assert_null (json_node_get_parent (root));
  g_assert_true (json_node_get_parent (walk (root, "base")) == root);
  g_assert_true (json_node_get_parent (walk (root, "base.x[0]")) == walk (root, "base.x"));
  g_assert_true (json_node_get_parent (walk (root, "a[0]")) == walk (root, "a"));
  g_assert_true (json_node_get_parent (walk (root, "a[0].x")) == walk (root, "a[0]"));
  g_assert_true (json_node_get_parent (walk (root, "m.x")) == walk (root, "m"));
  g_assert_true (json_node_get_parent (walk (root, "m.x[0]")) == walk (root, "m.x"));
}

/* ---- documents ---------------------------------------------------------------------------- */

static void
test_documents_multi (void)
{
  g_autoptr (KsSource) source = parse_ok ("--- \n"
                                          "# only a comment\n"
                                          "---\n"
                                          "---\n"
                                          "a: 1\n"
                                          "--- null\n"
                                          "---\n"
                                          "~\n"
                                          "...\n"
                                          "---\n"
                                          "- 1\n"
                                          "--- plain\n"
                                          "...\n");

  g_assert_cmpuint (ks_source_get_n_documents (source), ==, 3);
  g_assert_cmpint (json_node_get_int (doc_get (source, 0, "a")), ==, 1);
  g_assert_cmpint (json_node_get_int (doc_get (source, 1, "[0]")), ==, 1);
  g_assert_cmpstr (json_node_get_string (ks_source_get_document (source, 2)), ==, "plain");
  assert_position (source, ks_source_get_document (source, 2), 12, 5);
}

static void
test_documents_empty (void)
{
  static const char *const empties[]
      = { "", "\n", "# comment\n", "---\n", "--- # c\n...\n", "\xef\xbb\xbf", "~\n", "null" };

  for (gsize i = 0; i < G_N_ELEMENTS (empties); i++)
    {
      g_autoptr (KsSource) source = parse_ok (empties[i]);

      g_assert_cmpuint (ks_source_get_n_documents (source), ==, 0);
      g_assert_cmpstr (ks_source_get_name (source), ==, "test.yaml");
    }
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (KsSource) source = ks_source_new_from_data ("<stdin>", NULL, 0, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (ks_source_get_n_documents (source), ==, 0);
  }
}

static void
test_documents_length (void)
{
  /* An explicit length stops parsing there, even without a NUL. */
  static const char data[] = "a: 1\nb: 2\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (KsSource) source = ks_source_new_from_data ("<buf>", data, 5, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (
      json_object_get_size (json_node_get_object (ks_source_get_document (source, 0))), ==, 1);
}

static void
test_refcount (void)
{
  KsSource *source = parse_ok ("a: 1\n");
  KsSource *extra = ks_source_ref (source);
  JsonNode *root;

  g_assert_true (extra == source);
  ks_source_unref (source);
  root = ks_source_get_document (extra, 0);
  assert_position (extra, walk (root, "a"), 1, 4);
  ks_source_unref (extra);
  ks_source_unref (NULL);
}

/* ---- anchors and merge keys --------------------------------------------------------------- */

static void
test_anchors_alias (void)
{
  g_autoptr (KsSource) source = parse_ok ("defaults: &d\n"
                                          "  cpu: 1\n"
                                          "  tags: [a, b]\n"
                                          "one: *d\n"
                                          "two: *d\n"
                                          "name: &n web\n"
                                          "same: *n\n"
                                          "list: [&x 5, *x]\n");
  JsonNode *root = ks_source_get_document (source, 0);

  /* Deep copies: equal, but distinct nodes. */
  g_assert_true (json_node_equal (walk (root, "one"), walk (root, "defaults")));
  g_assert_true (walk (root, "one") != walk (root, "defaults"));
  g_assert_true (walk (root, "one.tags") != walk (root, "two.tags"));
  g_assert_true (walk (root, "one.tags[0]") != walk (root, "defaults.tags[0]"));
  g_assert_cmpstr (json_node_get_string (walk (root, "two.tags[1]")), ==, "b");
  g_assert_cmpstr (json_node_get_string (walk (root, "same")), ==, "web");
  g_assert_cmpint (json_node_get_int (walk (root, "list[1]")), ==, 5);
  /* Copies point at the anchored node's positions (a node with properties starts at them); the
   * key is where the alias is used. */
  assert_position (source, walk (root, "defaults"), 1, 11);
  assert_position (source, walk (root, "one"), 1, 11);
  assert_position (source, walk (root, "two.cpu"), 2, 8);
  assert_key_position (source, walk (root, "two"), "tags", 3, 3);
  assert_position (source, walk (root, "same"), 6, 7);
  assert_key_position (source, root, "same", 7, 1);
  assert_key_position (source, root, "two", 5, 1);
  g_assert_cmpstr (ks_source_get_text (source, walk (root, "list[1]")), ==, "5");
}

static void
test_anchors_redefined (void)
{
  g_autoptr (KsSource) source = parse_ok ("a: &x 1\n"
                                          "b: *x\n"
                                          "c: &x 2\n"
                                          "d: *x\n"
                                          "---\n"
                                          "e: &x 3\n");

  g_assert_cmpint (json_node_get_int (doc_get (source, 0, "b")), ==, 1);
  g_assert_cmpint (json_node_get_int (doc_get (source, 0, "d")), ==, 2);
  /* Anchors do not cross documents. */
  assert_parse_error ("a: &x 1\n---\nb: *x\n", "test.yaml:3:4: unknown anchor \"x\" referenced");
}

static void
test_anchors_key (void)
{
  g_autoptr (KsSource) source = parse_ok ("&k name: &v value\n"
                                          "&n 1: x\n"
                                          "copy: *k\n"
                                          "num: *n\n"
                                          "*v : z\n");
  JsonNode *root = ks_source_get_document (source, 0);

  g_assert_cmpstr (json_node_get_string (walk (root, "copy")), ==, "name");
  g_assert_cmpint (json_node_get_int (walk (root, "num")), ==, 1);
  g_assert_cmpstr (json_node_get_string (walk (root, "value")), ==, "z");
  assert_position (source, walk (root, "copy"), 1, 1);
  assert_key_position (source, root, "value", 5, 1);
}

static void
test_anchors_merge (void)
{
  g_autoptr (KsSource) source = parse_ok ("base: &b {x: 1, y: 2}\n"  /* 1 */
                                          "other: &o {y: 3, z: 4}\n" /* 2 */
                                          "m1:\n"                    /* 3 */
                                          "  <<: *b\n"               /* 4 */
                                          "  x: 10\n"                /* 5 */
                                          "m2:\n"                    /* 6 */
                                          "  x: 10\n"                /* 7 */
                                          "  <<: [*b, *o]\n"         /* 8 */
                                          "m3: {<<: [*o, *b]}\n"     /* 9 */
                                          "m4:\n"                    /* 10 */
                                          "  <<: *b\n"               /* 11 */
                                          "  <<: *o\n"               /* 12 */
                                          "m5: {<<: {k: v}, !!merge <<: {l: w}}\n"
                                          "m6: {\"<<\": 1}\n"
                                          "m7: {<<: []}\n"
                                          "m8: {!!str <<: 2}\n");
  JsonNode *root = ks_source_get_document (source, 0);

  /* Explicit keys win, before or after "<<". */
  g_assert_cmpint (json_node_get_int (walk (root, "m1.x")), ==, 10);
  g_assert_cmpint (json_node_get_int (walk (root, "m1.y")), ==, 2);
  g_assert_cmpint (json_node_get_int (walk (root, "m2.x")), ==, 10);
  /* In a sequence the earlier mapping wins. */
  g_assert_cmpint (json_node_get_int (walk (root, "m2.y")), ==, 2);
  g_assert_cmpint (json_node_get_int (walk (root, "m2.z")), ==, 4);
  g_assert_cmpint (json_node_get_int (walk (root, "m3.y")), ==, 3);
  g_assert_cmpint (json_node_get_int (walk (root, "m3.x")), ==, 1);
  /* Of two "<<" keys the later wins, as in go-yaml v2. */
  g_assert_cmpint (json_node_get_int (walk (root, "m4.y")), ==, 3);
  g_assert_cmpint (json_object_get_size (json_node_get_object (walk (root, "m4"))), ==, 3);
  g_assert_cmpstr (json_node_get_string (walk (root, "m5.k")), ==, "v");
  g_assert_cmpstr (json_node_get_string (walk (root, "m5.l")), ==, "w");
  /* Quoted or !!str-tagged "<<" is an ordinary key. */
  g_assert_cmpint (json_node_get_int (walk (root, "m6.<<")), ==, 1);
  g_assert_cmpint (json_node_get_int (walk (root, "m8.<<")), ==, 2);
  g_assert_cmpint (json_object_get_size (json_node_get_object (walk (root, "m7"))), ==, 0);
  /* Merged members keep the positions of the mapping they came from. */
  assert_position (source, walk (root, "m1.y"), 1, 20);
  assert_key_position (source, walk (root, "m1"), "y", 1, 17);
  assert_key_position (source, walk (root, "m1"), "x", 5, 3);
  assert_key_position (source, walk (root, "m2"), "z", 2, 18);
  g_assert_false (json_object_has_member (json_node_get_object (walk (root, "m1")), "<<"));
}

static void
test_anchors_merge_anchored_value (void)
{
  /* The value of "<<" may itself be anchored, and used again after the merge. */
  g_autoptr (KsSource) source = parse_ok ("a:\n"
                                          "  <<: &m {x: 1, y: {z: &q 2}}\n"
                                          "  x: 0\n"
                                          "b: *m\n"
                                          "c: *q\n"
                                          "d: {<<: *m}\n");
  JsonNode *root = ks_source_get_document (source, 0);

  g_assert_cmpint (json_node_get_int (walk (root, "a.x")), ==, 0);
  g_assert_cmpint (json_node_get_int (walk (root, "a.y.z")), ==, 2);
  g_assert_cmpint (json_node_get_int (walk (root, "b.x")), ==, 1);
  g_assert_cmpint (json_node_get_int (walk (root, "c")), ==, 2);
  g_assert_cmpint (json_node_get_int (walk (root, "d.y.z")), ==, 2);
  assert_position (source, walk (root, "b"), 2, 7);
  assert_position (source, walk (root, "d.y.z"), 2, 24);
}

static void
test_errors_merge_value (void)
{
  assert_parse_error ("a: {<<: 1}\n",
                      "test.yaml:1:5: the value of a merge key (<<) must be a mapping or a "
                      "sequence of mappings");
  assert_parse_error ("a: {<<: [{b: 1}, [2]]}\n",
                      "test.yaml:1:5: the value of a merge key (<<) must be a mapping or a "
                      "sequence of mappings");
  assert_parse_error ("s: &s [1]\na: {<<: *s}\n",
                      "test.yaml:2:5: the value of a merge key (<<) must be a mapping or a "
                      "sequence of mappings");
}

static void
test_errors_alias (void)
{
  assert_parse_error ("- *nope\n", "test.yaml:1:3: unknown anchor \"nope\" referenced");
  assert_parse_error ("- &a [1, *a]\n",
                      "test.yaml:1:10: alias *a refers to a node that contains it");
  assert_parse_error ("&a {b: *a}\n", "test.yaml:1:8: alias *a refers to a node that contains it");
  /* An alias used before its anchor is defined. */
  assert_parse_error ("a: *x\nb: &x 1\n", "test.yaml:1:4: unknown anchor \"x\" referenced");
}

static void
test_errors_alias_bomb (void)
{
  GString *text = g_string_new ("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
  g_autofree char *message = NULL;

  for (int i = 1; i < 9; i++)
    {
      g_string_append_printf (text, "a%d: &a%d [", i, i);
      for (int j = 0; j < 9; j++)
        g_string_append_printf (text, "%s*a%d", j ? ", " : "", i - 1);
      g_string_append (text, "]\n");
    }
  message = parse_error (text->str);
  g_assert_cmpstr (message, ==,
                   "test.yaml:7:10: aliases and merge keys expand to more than 1000000 nodes (an "
                   "alias bomb?)");
  g_string_free (text, TRUE);

  /* Below the limit all is well: 9^5 copies of a scalar plus the sequences around them. */
  {
    g_autoptr (GString) ok = g_string_new ("a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1]\n");
    g_autoptr (KsSource) source = NULL;

    for (int i = 1; i < 5; i++)
      g_string_append_printf (ok,
                              "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n",
                              i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
    source = parse_ok (ok->str);
    g_assert_cmpint (json_node_get_int (doc_get (source, 0, "a4[8][8][8][8][8]")), ==, 1);
  }
}

/* ---- nesting ------------------------------------------------------------------------------ */

static char *
nested_sequences (guint depth)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < depth; i++)
    g_string_append_c (text, '[');
  for (guint i = 0; i < depth; i++)
    g_string_append_c (text, ']');
  return g_string_free (text, FALSE);
}

static void
test_errors_depth (void)
{
  g_autofree char *ok_text = nested_sequences (1000);
  g_autofree char *deep_text = nested_sequences (1001);
  g_autofree char *huge_text = nested_sequences (200000);
  g_autoptr (KsSource) source = parse_ok (ok_text);
  g_autofree char *message = NULL;
  GString *alias_text;

  g_assert_cmpuint (ks_source_get_n_documents (source), ==, 1);
  assert_parse_error (deep_text, "test.yaml:1:1001: nesting deeper than 1000 levels");
  assert_parse_error (huge_text, "test.yaml:1:1001: nesting deeper than 1000 levels");

  /* Aliases cannot get around the limit. */
  alias_text = g_string_new ("a: &a ");
  for (guint i = 0; i < 999; i++)
    g_string_append_c (alias_text, '[');
  for (guint i = 0; i < 999; i++)
    g_string_append_c (alias_text, ']');
  g_string_append (alias_text, "\nb: [*a]\n");
  message = parse_error (alias_text->str);
  g_assert_cmpstr (message, ==, "test.yaml:2:5: alias expands to nesting deeper than 1000 levels");
  g_string_free (alias_text, TRUE);
}

/* ---- syntax errors ------------------------------------------------------------------------ */

static void
test_errors_syntax (void)
{
  assert_parse_error ("a:\n  b: 1\n c: 2\n",
                      "test.yaml:3:2: did not find expected key (while parsing a block mapping "
                      "started at line 1, column 1)");
  assert_parse_error ("k: \"abc\n",
                      "test.yaml:2:1: found unexpected end of stream (while scanning a quoted "
                      "scalar started at line 1, column 4)");
  assert_parse_error ("a: 1\n b: 2\n",
                      "test.yaml:2:3: mapping values are not allowed in this context");
  assert_parse_error ("- a\n- b: [1, 2\n",
                      "test.yaml:3:1: did not find expected ',' or ']' (while parsing a flow "
                      "sequence started at line 2, column 6)");
  assert_parse_error ("a: @b\n",
                      "test.yaml:1:4: found character that cannot start any token (while "
                      "scanning for the next token)");
}

static void
test_errors_tabs (void)
{
  assert_parse_error ("a:\n\tb: 1\n",
                      "test.yaml:2:1: found a tab character where indentation was expected; "
                      "YAML indentation must use spaces, not tabs");
  assert_parse_error ("\ta: 1\n",
                      "test.yaml:1:1: found a tab character where indentation was expected; "
                      "YAML indentation must use spaces, not tabs");
  assert_parse_error ("a:\n  - x\n\t- y\n",
                      "test.yaml:3:1: found a tab character that violates indentation; YAML "
                      "indentation must use spaces, not tabs (while scanning a plain scalar "
                      "started at line 2, column 5)");
  /* A tab after a key's colon, or inside flow (JSON) content, is just white space. */
  {
    g_autoptr (KsSource) source = parse_ok ("a:\t1\nb: {\n\t\"c\": 2\n}\n");
    g_assert_cmpint (json_node_get_int (doc_get (source, 0, "a")), ==, 1);
    g_assert_cmpint (json_node_get_int (doc_get (source, 0, "b.c")), ==, 2);
  }
}

static void
test_errors_encoding (void)
{
  assert_parse_error ("a: ok\nb: \xff\n", "test.yaml:2:4: invalid leading UTF-8 octet (#xFF)");
  assert_parse_error ("a: \xc3\xa9\xc3(\n", "test.yaml:1:6: invalid trailing UTF-8 octet (#x28)");
  {
    static const char data[] = "a: b\0c\n";
    g_autoptr (GError) error = NULL;
    g_autoptr (KsSource) source
        = ks_source_new_from_data ("nul.yaml", data, sizeof data - 1, &error);

    g_assert_null (source);
    g_assert_error (error, KS_YAML_ERROR, KS_YAML_ERROR_SYNTAX);
    g_assert_cmpstr (error->message, ==, "nul.yaml:1:5: control characters are not allowed (#x00)");
  }
}

/* ---- JSON ------------------------------------------------------------------------------- */

static void
test_json_basic (void)
{
  g_autoptr (KsSource) source
      = parse_ok ("{\n"
                  "  \"kind\": \"Pod\",\n"
                  "  \"metadata\": {\"name\": \"web\", \"labels\": {}},\n"
                  "  \"spec\": {\n"
                  "    \"containers\": [\n"
                  "      {\"name\": \"c\", \"ports\": [80, 443], \"args\": []}\n"
                  "    ],\n"
                  "    \"n\": [0, -1, 1.5, -2.5e3, 1E-2, 12345678901],\n"
                  "    \"flags\": [true, false, null],\n"
                  "    \"s\": \"q\\\"b\\\\s\\/n\\nt\\tu\\u00e9\\r\\b\\f\"\n"
                  "  }\n"
                  "}\n");
  JsonNode *root = ks_source_get_document (source, 0);

  g_assert_cmpuint (ks_source_get_n_documents (source), ==, 1);
  g_assert_cmpstr (json_node_get_string (walk (root, "kind")), ==, "Pod");
  g_assert_cmpuint (json_object_get_size (json_node_get_object (walk (root, "metadata.labels"))),
                    ==, 0);
  g_assert_cmpint (json_node_get_int (walk (root, "spec.containers[0].ports[1]")), ==, 443);
  g_assert_cmpuint (
      json_array_get_length (json_node_get_array (walk (root, "spec.containers[0].args"))), ==, 0);
  g_assert_cmpint (json_node_get_int (walk (root, "spec.n[0]")), ==, 0);
  g_assert_cmpint (json_node_get_int (walk (root, "spec.n[1]")), ==, -1);
  g_assert_cmpfloat (json_node_get_double (walk (root, "spec.n[2]")), ==, 1.5);
  g_assert_cmpfloat (json_node_get_double (walk (root, "spec.n[3]")), ==, -2500.0);
  g_assert_cmpfloat (json_node_get_double (walk (root, "spec.n[4]")), ==, 0.01);
  g_assert_cmpint (json_node_get_int (walk (root, "spec.n[5]")), ==, 12345678901);
  g_assert_true (json_node_get_boolean (walk (root, "spec.flags[0]")));
  g_assert_false (json_node_get_boolean (walk (root, "spec.flags[1]")));
  g_assert_cmpint (JSON_NODE_TYPE (walk (root, "spec.flags[2]")), ==, JSON_NODE_NULL);
  g_assert_cmpstr (json_node_get_string (walk (root, "spec.s")), ==,
                   "q\"b\\s/n\nt\tu\xc3\xa9\r\b\f");
  assert_position (source, walk (root, "spec.containers[0].ports"), 6, 30);
  assert_key_position (source, walk (root, "spec.containers[0]"), "ports", 6, 21);
}

static void
test_json_compact (void)
{
  g_autoptr (KsSource) source = parse_ok ("{\"a\":1,\"b\":[\"x\",{\"c\":null}],\"d\":\"\\/\"}");

  g_assert_cmpint (json_node_get_int (doc_get (source, 0, "a")), ==, 1);
  g_assert_cmpint (JSON_NODE_TYPE (doc_get (source, 0, "b[1].c")), ==, JSON_NODE_NULL);
  g_assert_cmpstr (json_node_get_string (doc_get (source, 0, "d")), ==, "/");
  assert_position (source, doc_get (source, 0, "b[1]"), 1, 17);
}

static void
test_json_slash (void)
{
  g_autoptr (KsSource) source = parse_ok ("{\"url\": \"http:\\/\\/example.com\\/x\"}\n");

  g_assert_cmpstr (json_node_get_string (doc_get (source, 0, "url")), ==, "http://example.com/x");
  g_assert_cmpstr (ks_source_get_text (source, doc_get (source, 0, "url")), ==,
                   "http://example.com/x");
}

static void
test_json_top_level (void)
{
  g_autoptr (KsSource) array = parse_ok ("[{\"a\": 1}, {\"a\": 2}]\n");
  g_autoptr (KsSource) scalar = parse_ok ("\"just a string\"\n");

  g_assert_cmpuint (ks_source_get_n_documents (array), ==, 1);
  g_assert_cmpint (json_node_get_int (doc_get (array, 0, "[1].a")), ==, 2);
  g_assert_cmpstr (json_node_get_string (ks_source_get_document (scalar, 0)), ==, "just a string");
}

static void
test_json_surrogates (void)
{
  /* libyaml rejects UTF-16 surrogate escapes, so JSON that spells a non-BMP character as a
   * surrogate pair cannot be read (Go's encoding/json, and so kubectl, never writes them).  It
   * fails cleanly, with a position.  The character itself, or \U0001F600, works. */
  g_autoptr (KsSource) source = NULL;

  assert_parse_error ("{\"emoji\": \"\\ud83d\\ude00\"}\n",
                      "test.yaml:1:14: found invalid Unicode character escape code (while "
                      "parsing a quoted scalar started at line 1, column 11)");
  source = parse_ok ("{\"a\": \"\xf0\x9f\x98\x80\", \"b\": \"\\U0001F600\"}\n");
  g_assert_cmpstr (json_node_get_string (doc_get (source, 0, "a")), ==, "\xf0\x9f\x98\x80");
  g_assert_cmpstr (json_node_get_string (doc_get (source, 0, "b")), ==, "\xf0\x9f\x98\x80");
}

/* ---- files -------------------------------------------------------------------------------- */

static void
test_file (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr (KsSource) source = NULL;
  int fd = g_file_open_tmp ("test-yaml-XXXXXX.yaml", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (path, "kind: Node\nmetadata:\n  name: n1\n", -1, &error);
  g_assert_no_error (error);

  source = ks_source_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ks_source_get_name (source), ==, path);
  assert_position (source, doc_get (source, 0, "metadata.name"), 3, 9);

  g_file_set_contents (path, "kind: Node\nmetadata: [\n", -1, &error);
  g_assert_no_error (error);
  {
    g_autoptr (KsSource) bad = ks_source_new_from_file (path, &error);
    g_autofree char *prefix = g_strdup_printf ("%s:3:1: ", path);

    g_assert_null (bad);
    g_assert_error (error, KS_YAML_ERROR, KS_YAML_ERROR_SYNTAX);
    g_assert_true (g_str_has_prefix (error->message, prefix));
    g_clear_error (&error);
  }
  g_assert_cmpint (g_unlink (path), ==, 0);
}

static void
test_errors_io (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-yaml-XXXXXX", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.yaml", NULL);
  g_autofree char *expected = g_strdup_printf ("%s: %s", missing, g_strerror (ENOENT));
  g_autofree char *expected_dir = g_strdup_printf ("%s: %s", dir, g_strerror (EISDIR));
  KsSource *source;

  g_assert_nonnull (dir);
  source = ks_source_new_from_file (missing, &error);
  g_assert_null (source);
  g_assert_error (error, KS_YAML_ERROR, KS_YAML_ERROR_IO);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);

  source = ks_source_new_from_file (dir, &error);
  g_assert_null (source);
  g_assert_error (error, KS_YAML_ERROR, KS_YAML_ERROR_IO);
  g_assert_cmpstr (error->message, ==, expected_dir);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* ---- a real trace ------------------------------------------------------------------------- */

static char *
find_trace (const char *relative)
{
  const char *env = g_getenv ("KS_TRACES_DIR");
  g_autofree char *dir = NULL;

  if (env != NULL)
    {
      char *path = g_build_filename (env, relative, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return path;
      g_free (path);
    }
  /* shared/traces beside or above the source tree, or traces/ inside it. */
  dir = g_canonicalize_filename (g_test_get_dir (G_TEST_DIST), NULL);
  for (int up = 0; up < 4 && dir != NULL; up++)
    {
      char *candidates[] = {
        g_build_filename (dir, "shared", "traces", relative, NULL),
        g_build_filename (dir, "traces", relative, NULL),
      };
      char *found = NULL;
      char *parent;

      for (gsize i = 0; i < G_N_ELEMENTS (candidates); i++)
        {
          if (found == NULL && g_file_test (candidates[i], G_FILE_TEST_IS_REGULAR))
            found = g_steal_pointer (&candidates[i]);
          g_free (candidates[i]);
        }
      if (found != NULL)
        return found;
      parent = g_path_get_dirname (dir);
      g_free (dir);
      dir = parent;
    }
  return NULL;
}

static void
test_trace_openb_nodes (void)
{
  g_autofree char *path = find_trace ("alibaba-gpu-v2023/openb_node_list_gpu_node.yaml");
  g_autoptr (GError) error = NULL;
  g_autoptr (KsSource) source = NULL;
  JsonNode *first, *last;
  double seconds;

  if (path == NULL)
    {
      g_test_skip ("alibaba-gpu-v2023/openb_node_list_gpu_node.yaml not found "
                   "(set KS_TRACES_DIR to the folder that holds alibaba-gpu-v2023/)");
      return;
    }
  g_test_timer_start ();
  source = ks_source_new_from_file (path, &error);
  seconds = g_test_timer_elapsed ();
  g_assert_no_error (error);
  g_test_message ("loaded %s in %.3f s", path, seconds);
  if (g_test_perf ())
    g_assert_cmpfloat (seconds, <, 1.0);

  g_assert_cmpuint (ks_source_get_n_documents (source), ==, 1213);
  first = ks_source_get_document (source, 0);
  g_assert_cmpstr (json_node_get_string (walk (first, "kind")), ==, "Node");
  g_assert_cmpstr (json_node_get_string (walk (first, "metadata.name")), ==, "openb-node-0000");
  assert_position (source, walk (first, "metadata.name"), 9, 9);
  assert_key_position (source, walk (first, "metadata"), "name", 9, 3);
  g_assert_cmpstr (json_node_get_string (walk (first, "status.allocatable.cpu")), ==, "64000m");
  /* Quoted in the file, so a string even though it looks like a number. */
  g_assert_cmpstr (json_node_get_string (walk (first, "status.allocatable.pods")), ==, "1001");

  last = ks_source_get_document (source, 1212);
  g_assert_cmpstr (json_node_get_string (walk (last, "metadata.name")), ==, "openb-node-1212");
  g_assert_cmpstr (
      json_object_get_string_member (json_node_get_object (walk (last, "metadata.labels")),
                                     "kubernetes.io/hostname"),
      ==, "openb-node-1212");
}

/* ---- writing ----------------------------------------------------------------------------------
 */

static const char emit_input[] = "{\"kind\": \"Pod\", \"apiVersion\": \"v1\", "
                                 "\"metadata\": {\"name\": \"p\", \"labels\": {}, "
                                 "\"annotations\": {\"n\": \"1\", \"b\": \"true\", \"e\": \"\", "
                                 "\"y\": \"yes\", \"x\": \"<a&b>\", \"m\": \"two\\nlines\"}}, "
                                 "\"spec\": {\"containers\": [{\"name\": \"c\", \"args\": "
                                 "[\"-c\", \"null\"], \"ports\": []}], \"priority\": 5, "
                                 "\"on\": true, \"ratio\": 0.5, \"gone\": null}}";

static JsonNode *
parse_one (const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KsSource) source = ks_source_new_from_data ("emit", text, -1, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (ks_source_get_n_documents (source), ==, 1);
  return json_node_copy (ks_source_get_document (source, 0));
}

static void
test_emit_yaml (void)
{
  g_autoptr (JsonNode) node = parse_one (emit_input);
  g_autoptr (JsonNode) again = NULL;
  g_autoptr (GString) out = g_string_new (NULL);

  ks_yaml_emit (node, out);
  g_assert_cmpstr (out->str, ==,
                   "apiVersion: v1\n"
                   "kind: Pod\n"
                   "metadata:\n"
                   "  annotations:\n"
                   "    b: \"true\"\n"
                   "    e: \"\"\n"
                   "    m: |-\n"
                   "      two\n"
                   "      lines\n"
                   "    \"n\": \"1\"\n" /* y and n are booleans in YAML 1.1 */
                   "    x: <a&b>\n"
                   "    \"y\": \"yes\"\n"
                   "  labels: {}\n"
                   "  name: p\n"
                   "spec:\n"
                   "  containers:\n"
                   "  - args:\n"
                   "    - -c\n"
                   "    - \"null\"\n"
                   "    name: c\n"
                   "    ports: []\n"
                   "  gone: null\n"
                   "  \"on\": true\n"
                   "  priority: 5\n"
                   "  ratio: 0.5\n");
  /* It reads back as the same tree. */
  again = parse_one (out->str);
  g_assert_true (json_node_equal (node, again));
}

static void
test_emit_timestamps (void)
{
  g_autoptr (JsonNode) node = parse_one ("{\"a\": \"2025-01-01T00:00:05Z\", \"b\": \"2025-1-2\", "
                                         "\"c\": \"2025-01-01 10:00:00.5\", "
                                         "\"d\": \"2025-01-01T00:00:05+02:00\", "
                                         "\"e\": \"2025-01-01X\", \"f\": \"25-01-01\", "
                                         "\"g\": \"2025-01-01T00:00Z\"}");
  g_autoptr (GString) out = g_string_new (NULL);

  ks_yaml_emit (node, out);
  g_assert_cmpstr (out->str, ==,
                   "a: \"2025-01-01T00:00:05Z\"\n"
                   "b: \"2025-1-2\"\n"
                   "c: \"2025-01-01 10:00:00.5\"\n"
                   "d: \"2025-01-01T00:00:05+02:00\"\n"
                   "e: 2025-01-01X\n"
                   "f: 25-01-01\n"
                   "g: 2025-01-01T00:00Z\n");
}

static void
test_emit_json_compact (void)
{
  g_autoptr (JsonNode) node = parse_one ("{\"b\": [1, {}, 0.5, null], \"a\": {\"z\": \"<x>&\", "
                                         "\"y\": []}, \"c\": false}");
  g_autoptr (GString) out = g_string_new (NULL);

  ks_json_emit_compact (node, out);
  g_assert_cmpstr (out->str, ==,
                   "{\"a\":{\"y\":[],\"z\":\"\\u003cx\\u003e\\u0026\"},\"b\":[1,{},0.5,null],"
                   "\"c\":false}");
}

static void
test_emit_json (void)
{
  g_autoptr (JsonNode) node = parse_one ("{\"b\": [1, {}], \"a\": {\"z\": \"<x>\", \"y\": []}, "
                                         "\"c\": false}");
  g_autoptr (GString) out = g_string_new (NULL);

  ks_json_emit_indented (node, out);
  g_assert_cmpstr (out->str, ==,
                   "{\n"
                   "    \"a\": {\n"
                   "        \"y\": [],\n"
                   "        \"z\": \"\\u003cx\\u003e\"\n"
                   "    },\n"
                   "    \"b\": [\n"
                   "        1,\n"
                   "        {}\n"
                   "    ],\n"
                   "    \"c\": false\n"
                   "}\n");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/api/yaml/scalars/null", test_scalars_null);
  g_test_add_func ("/api/yaml/scalars/bool", test_scalars_bool);
  g_test_add_func ("/api/yaml/scalars/int", test_scalars_int);
  g_test_add_func ("/api/yaml/scalars/int-overflow", test_scalars_int_overflow);
  g_test_add_func ("/api/yaml/scalars/float", test_scalars_float);
  g_test_add_func ("/api/yaml/scalars/string", test_scalars_string);
  g_test_add_func ("/api/yaml/scalars/text", test_scalars_text);
  g_test_add_func ("/api/yaml/tags/explicit", test_tags_explicit);
  g_test_add_func ("/api/yaml/tags/mismatch", test_tags_mismatch);
  g_test_add_func ("/api/yaml/keys/non-string", test_keys_non_string);
  g_test_add_func ("/api/yaml/keys/order", test_keys_order);
  g_test_add_func ("/api/yaml/positions", test_positions);
  g_test_add_func ("/api/yaml/positions/multi-document", test_positions_multi_document);
  g_test_add_func ("/api/yaml/positions/unicode", test_positions_unicode);
  g_test_add_func ("/api/yaml/positions/foreign", test_positions_foreign);
  g_test_add_func ("/api/yaml/parents", test_parents);
  g_test_add_func ("/api/yaml/documents/multi", test_documents_multi);
  g_test_add_func ("/api/yaml/documents/empty", test_documents_empty);
  g_test_add_func ("/api/yaml/documents/length", test_documents_length);
  g_test_add_func ("/api/yaml/refcount", test_refcount);
  g_test_add_func ("/api/yaml/anchors/alias", test_anchors_alias);
  g_test_add_func ("/api/yaml/anchors/redefined", test_anchors_redefined);
  g_test_add_func ("/api/yaml/anchors/key", test_anchors_key);
  g_test_add_func ("/api/yaml/anchors/merge", test_anchors_merge);
  g_test_add_func ("/api/yaml/anchors/merge-anchored-value", test_anchors_merge_anchored_value);
  g_test_add_func ("/api/yaml/json/basic", test_json_basic);
  g_test_add_func ("/api/yaml/json/compact", test_json_compact);
  g_test_add_func ("/api/yaml/json/slash", test_json_slash);
  g_test_add_func ("/api/yaml/json/top-level", test_json_top_level);
  g_test_add_func ("/api/yaml/json/surrogates", test_json_surrogates);
  g_test_add_func ("/api/yaml/file", test_file);
  g_test_add_func ("/api/yaml/errors/io", test_errors_io);
  g_test_add_func ("/api/yaml/errors/syntax", test_errors_syntax);
  g_test_add_func ("/api/yaml/errors/tabs", test_errors_tabs);
  g_test_add_func ("/api/yaml/errors/encoding", test_errors_encoding);
  g_test_add_func ("/api/yaml/errors/duplicate-key", test_errors_duplicate_key);
  g_test_add_func ("/api/yaml/errors/non-scalar-key", test_errors_non_scalar_key);
  g_test_add_func ("/api/yaml/errors/unknown-tag", test_errors_unknown_tag);
  g_test_add_func ("/api/yaml/errors/merge-value", test_errors_merge_value);
  g_test_add_func ("/api/yaml/errors/alias", test_errors_alias);
  g_test_add_func ("/api/yaml/errors/alias-bomb", test_errors_alias_bomb);
  g_test_add_func ("/api/yaml/errors/depth", test_errors_depth);
  g_test_add_func ("/api/yaml/trace/openb-nodes", test_trace_openb_nodes);
  g_test_add_func ("/api/yaml/emit/yaml", test_emit_yaml);
  g_test_add_func ("/api/yaml/emit/json", test_emit_json);
  g_test_add_func ("/api/yaml/emit/json-compact", test_emit_json_compact);
  g_test_add_func ("/api/yaml/emit/timestamps", test_emit_timestamps);

  return g_test_run ();
}
