/* SPDX-License-Identifier: Apache-2.0 */
/* request_writer.h - plan requests as YAML that `migplan plan` reads back.
 *
 * Used by `size` (tenants from measurements) and `advise --format yaml` (a
 * request revised by the advice). Fields at their defaults are left out;
 * memory is written in GiB when it is a whole number of GiB, else in MiB,
 * so it reads back to the same MiB. Names that YAML would read as
 * something other than a string (yes, null, 1e3, ...) are quoted.
 */
#ifndef MIGPLAN_REQUEST_WRITER_H
#define MIGPLAN_REQUEST_WRITER_H

#include "migplan/readers/request_reader.h"
#include "migplan/util/buf.h"

/* "12GiB" or "9933MiB". */
void mp_write_memory(long long mib, mp_buf *b);

/* Each line of text (split at '\n') as a "# " comment at indent spaces;
 * control characters are shown as '?'. */
void mp_write_comment(const char *text, int indent, mp_buf *b);

/* The fleet section of r (every entry; count and cost when not default). */
void mp_write_fleet(const mp_request *r, mp_buf *b);

/* The request's `headroom:` and `min-spare:` when not at their defaults. */
void mp_write_margins(const mp_request *r, mp_buf *b);

/* One tenant as an item of a `tenants:` list (two spaces of indent), as it
 * asks (mp_tenant_asked_mib, _replicas, share, its own headroom), so that
 * the request reader derives the same tenant back. */
void mp_write_tenant(const mp_tenant *t, mp_buf *b);

#endif
