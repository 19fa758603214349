/* ka-json-scanner.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KA_JSON_FLAT_MAX_MEMBERS 32

typedef enum
{
  KA_JSON_STRING,
  KA_JSON_INT,
  KA_JSON_DOUBLE,
  KA_JSON_TRUE,
  KA_JSON_FALSE,
  KA_JSON_NULL,
} KaJsonType;

/**
 * KaJsonMember:
 * @name: the decoded member name
 * @type: the value's type
 * @string: the decoded UTF-8 string (%KA_JSON_STRING only)
 * @int_value: the value of an integer written without fraction or exponent
 * @double_value: the value of any number (%KA_JSON_INT too)
 *
 * One member of a flat object; strings belong to the #KaJsonFlatObject.
 */
typedef struct
{
  const char *name;
  KaJsonType  type;
  const char *string;
  gint64      int_value;
  double      double_value;
} KaJsonMember;

/**
 * KaJsonFlatObject:
 *
 * A scanned object; reuse one for every line to keep allocations off the loop.
 */
typedef struct
{
  GString      *buf;
  KaJsonMember  members[KA_JSON_FLAT_MAX_MEMBERS];
  guint         n_members;
} KaJsonFlatObject;

void                ka_json_flat_object_init  (KaJsonFlatObject *obj);
void                ka_json_flat_object_clear (KaJsonFlatObject *obj);
gboolean            ka_json_scan_flat_object  (KaJsonFlatObject *obj,
                                               const char       *text,
                                               gsize             len);
const KaJsonMember *ka_json_flat_object_get   (const KaJsonFlatObject *obj,
                                               const char       *name);
const KaJsonMember *ka_json_flat_object_get_at (const KaJsonFlatObject *obj,
                                               const char       *name,
                                               guint             hint);
const char         *ka_json_flat_object_get_string (const KaJsonFlatObject *obj,
                                               const char       *name,
                                               guint             hint);

G_END_DECLS
