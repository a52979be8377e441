/* fuzz-yaml.c: fuzz target for the YAML/JSON reader (src/api/ks-yaml.c).
 *
 * Every input is parsed; on success every node of every document is asked for its position, its
 * text and, for mapping members, its key's position, so that the side table is exercised as
 * hard as the parser.  Nothing may crash, trip a sanitizer or leak.
 *
 * Built with -DKS_FUZZ_LIBFUZZER and -fsanitize=fuzzer it is a libFuzzer target:
 *   clang -fsanitize=fuzzer,address,undefined -DKS_FUZZ_LIBFUZZER ... -o fuzz-yaml
 *   ./fuzz-yaml -max_total_time=60 corpus/
 * Otherwise it is a plain program that runs each file named on its command line through the
 * same code (a regression runner for saved crashers and the seed corpus). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "api/ks-yaml.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static guint64
walk_node (KsSource *source, JsonNode *node)
{
  guint64 sum = 0;
  guint line = 0, column = 0;
  const char *text;

  if (!ks_source_get_position (source, node, &line, &column))
    g_error ("node without a position");
  if (line == 0 || column == 0)
    g_error ("position %u:%u is not 1-based", line, column);
  sum += line + column;
  text = ks_source_get_text (source, node);
  if (JSON_NODE_HOLDS_OBJECT (node) || JSON_NODE_HOLDS_ARRAY (node))
    {
      if (text != NULL)
        g_error ("a collection has text");
    }
  else if (text == NULL)
    g_error ("a scalar has no text");
  else
    sum += strlen (text);

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *child;

      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &child))
        {
          if (!ks_source_get_key_position (source, node, name, &line, &column))
            g_error ("member \"%s\" without a key position", name);
          if (json_node_get_parent (child) != node)
            g_error ("member \"%s\" has the wrong parent", name);
          sum += line + column + walk_node (source, child);
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint n = json_array_get_length (array);

      for (guint i = 0; i < n; i++)
        {
          JsonNode *child = json_array_get_element (array, i);

          if (json_node_get_parent (child) != node)
            g_error ("element %u has the wrong parent", i);
          sum += walk_node (source, child);
        }
    }
  return sum;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KsSource) source = NULL;
  volatile guint64 sum = 0;

  if (size > G_MAXSSIZE)
    return 0;
  source = ks_source_new_from_data ("fuzz.yaml", (const char *) data, (gssize) size, &error);
  if (source == NULL)
    {
      if (error == NULL || error->domain != KS_YAML_ERROR || error->message == NULL)
        g_error ("failure without a KsYamlError");
      /* Syntax errors always say where. */
      if (!g_str_has_prefix (error->message, "fuzz.yaml:"))
        g_error ("error message without a position: %s", error->message);
      return 0;
    }
  if (error != NULL)
    g_error ("success with an error set");
  for (guint i = 0; i < ks_source_get_n_documents (source); i++)
    {
      JsonNode *root = ks_source_get_document (source, i);

      if (root == NULL || JSON_NODE_HOLDS_NULL (root))
        g_error ("document %u is empty", i);
      sum += walk_node (source, root);
    }
  (void) sum;
  return 0;
}

#ifndef KS_FUZZ_LIBFUZZER
int
main (int argc, char **argv)
{
  int failures = 0;

  if (argc < 2)
    {
      g_printerr ("usage: %s FILE...\n", argv[0]);
      return 2;
    }
  for (int i = 1; i < argc; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (!g_file_get_contents (argv[i], &contents, &length, &error))
        {
          g_printerr ("%s\n", error->message);
          failures++;
          continue;
        }
      LLVMFuzzerTestOneInput ((const uint8_t *) contents, length);
      g_print ("%s: ok\n", argv[i]);
    }
  return failures == 0 ? 0 : 1;
}
#endif
