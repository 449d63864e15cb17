/* SPDX-License-Identifier: Apache-2.0 */
/* profile_db.h - the MIG profile database: GPU models and their profiles.
 *
 * The facts live in profiles/<model>.yaml, one file per GPU model. At build
 * time they are loaded and validated by this loader and compiled into the
 * binary as C data; a directory given with --profiles DIR or
 * MIGPLAN_PROFILES adds models or replaces same-id ones. Loading validates
 * every file and rejects inconsistent data with file:line:col. The database
 * is read-only once loaded; what it loaded lives in one arena, and
 * mp_db_free() releases it all.
 *
 * Provenance: every value is either confirmed (copied from real nvidia-smi
 * output or NVIDIA documentation), derived (computed from confirmed values;
 * the file says how) or inferred (assumed; the file says from what). A
 * profile with any inferred value is not confirmed.
 */
#ifndef MIGPLAN_PROFILE_DB_H
#define MIGPLAN_PROFILE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "migplan/util/error.h"

#define MP_MAX_UNITS 16    /* placement units (memory slices) per GPU */
#define MP_MAX_PROFILES 32 /* GPU-instance profiles per model */
#define MP_MAX_CI 8        /* compute-instance profiles per GI profile */

enum mp_engine {
    MP_ENG_CE,
    MP_ENG_NVDEC,
    MP_ENG_NVENC,
    MP_ENG_NVJPG,
    MP_ENG_OFA,
    MP_ENG_COUNT
};

/* Name of an engine as in the profile files: "ce", "nvdec", ... */
const char *mp_engine_name(int e);

/* Flags derived from the profile-name suffix. */
enum {
    MP_GI_MEDIA = 1u << 0,     /* +me or +me.all: media extensions */
    MP_GI_MEDIA_ALL = 1u << 1, /* +me.all: every media engine */
    MP_GI_GFX = 1u << 2,       /* +gfx: graphics APIs */
    MP_GI_NO_MEDIA = 1u << 3   /* -me: no media engines */
};

typedef struct mp_note {
    const char *field; /* the value the note is about, e.g. "memory-mib" */
    const char *text;
} mp_note;

typedef struct mp_provenance {
    const char **sources; /* keys into the model's source list */
    int n_sources;
    mp_note *derived;
    int n_derived;
    mp_note *inferred;
    int n_inferred;
} mp_provenance;

typedef struct mp_source {
    const char *key;  /* e.g. "T-H100" */
    const char *text; /* what and where */
} mp_source;

typedef struct mp_ci_profile {
    const char *name; /* "1c.3g.40gb", or the GI name for the full CI */
    int id;           /* nvidia-smi CI profile ID, -1 when unknown */
    int compute_slices;
    int max_per_gi;       /* how many fit in one GI of this profile */
    bool is_default;      /* the CI that `-C` creates */
    const char *inferred; /* NULL when confirmed, else why it is assumed */
} mp_ci_profile;

typedef struct mp_gi_profile {
    const char *name; /* canonical, e.g. "1g.10gb+me" */
    int id;           /* nvidia-smi GI profile ID */
    int compute_slices;
    int memory_slices;      /* placement size in units */
    int memory_mib;         /* at the selected driver (mp_db_select_driver) */
    const char *memory_gib; /* as -lgip prints it ("9.75"), or NULL */
    int sms;                /* -1 when unknown */
    int engines[MP_ENG_COUNT];
    int max_instances;
    int n_placements;
    int placements[MP_MAX_UNITS]; /* start slots, ascending */
    unsigned flags;               /* MP_GI_* */
    const char *min_driver;       /* when newer than the model's, else NULL */
    const mp_ci_profile *cis;
    int n_cis;
    /* -lgip memory on the model's older drivers: older_gib[i] belongs to
     * model->older_drivers[i], NULL where that driver's row was not seen */
    const char *const *older_gib;
    mp_provenance prov;
    bool confirmed; /* nothing inferred */
    int line;       /* where the profile starts in its file */
} mp_gi_profile;

/* One PCI device ID of a model and the product names nvidia-smi prints for
 * it (the same board can print several, e.g. older drivers omit "NVIDIA "). */
typedef struct mp_device {
    uint32_t pci_id;    /* 0xDDDD10DE */
    const char **names; /* may be empty when no name was seen */
    int n_names;
    const char **sources;
    int n_sources;
    const char *inferred; /* why the device or its names are assumed */
} mp_device;

/* A PCI device ID deliberately not given a model, and why (e.g. a board
 * mig-parted groups with this model that is of another architecture). */
typedef struct mp_excluded_device {
    uint32_t pci_id;
    const char *name; /* the board's product name */
    const char *reason;
} mp_excluded_device;

/* An older driver whose -lgip printed other memory sizes than the model's
 * memory-driver. `driver` is its version, or the key of the source when
 * the source did not show the version. */
typedef struct mp_driver_table {
    const char *driver;
    const char *note; /* e.g. "captured 2025-01-29", may be NULL */
} mp_driver_table;

typedef struct mp_model {
    const char *id;             /* canonical, e.g. "h100-sxm5-80gb" */
    const char *name;           /* as nvidia-smi prints it (one device's) */
    const char **product_names; /* every nvidia-smi name of every device */
    int n_product_names;
    const char **aliases;
    int n_aliases;
    const uint32_t *pci_ids; /* 0xDDDD10DE, one per device, in file order */
    int n_pci_ids;
    const mp_device *devices; /* the same order as pci_ids */
    int n_devices;
    const mp_excluded_device *excluded;
    int n_excluded;
    const char *architecture;
    int memory_mib; /* whole GPU with MIG disabled (memory.total) */
    const char *memory_total_driver; /* where memory.total was seen, or NULL */
    int sms;                         /* whole GPU, -1 when unknown */
    int units;          /* placement units (memory slices): 8, 4 or 12 */
    int compute_slices; /* 7 or 4 */
    const char *min_driver;
    const char *memory_driver; /* driver whose -lgip memory sizes are in use */
    const mp_driver_table *older_drivers; /* newest first */
    int n_older_drivers;
    const mp_gi_profile *profiles;
    int n_profiles;
    const mp_source *sources;
    int n_sources;
    mp_provenance prov; /* model-level values */
    bool confirmed;     /* every profile and model value confirmed */
    const char *file;   /* where it was loaded from */
    const char *notes;  /* free text from the file, may be NULL */
} mp_model;

typedef struct mp_db mp_db;

/* Load the profiles built in at build time (C data generated from the YAML
 * files, validated then; no YAML is parsed), then, if dir is not NULL, every
 * *.yaml in dir (same id replaces, new ids are added). *out is owned by the
 * caller: mp_db_free(). */
int mp_db_load(const char *dir, mp_db **out, mp_diag *d);

/* Load one profile file's text (for tests and the loader itself). */
int mp_db_load_text(mp_db *db, const char *text, size_t len, const char *path,
                    mp_diag *d);

/* An empty database to load texts into. */
int mp_db_new(mp_db **out, mp_diag *d);

void mp_db_free(mp_db *db);

int mp_db_count(const mp_db *db);
const mp_model *mp_db_model(const mp_db *db, int i);

/* Use the -lgip memory sizes of driver `driver` wherever a model has them:
 * "580" matches 580.173.02 (a version prefix ending at a dot), a source key
 * such as "MP#166" matches a table whose driver was not shown. Models
 * without a matching table keep their newest sizes. A profile whose row was
 * not seen for the chosen driver keeps its newest size, marked inferred.
 * Call once, right after loading: a model it changes is replaced by a
 * changed copy (the built-in models are read-only data), so a model
 * pointer taken before the call keeps the newest sizes. MP_ENOTFOUND when no
 * model has a table for `driver` (d lists the drivers that are known). */
int mp_db_select_driver(mp_db *db, const char *driver, mp_diag *d);

/* Does driver label `have` ("580.173.02", "MP#187, 2025-03-20 ...") answer
 * to the user's `want` ("580", "580.173", "MP#187")? */
bool mp_driver_matches(const char *have, const char *want);

/* Is name m's id or one of its aliases (any case)? */
bool mp_model_claims(const mp_model *m, const char *name);

/* Find a model by canonical id, alias, PCI device ID (0x233510DE, 0x2335,
 * with or without a subsystem part) or nvidia-smi product name, all
 * case-insensitive. On failure d says which known ids are closest, or why
 * a known PCI ID has no model. */
int mp_db_find(const mp_db *db, const char *query, const mp_model **out,
               mp_diag *d);

/* The same, and *dev (may be NULL) is the device the query named by PCI ID
 * or product name, NULL when it named the model by id or alias. */
int mp_db_find_device(const mp_db *db, const char *query, const mp_model **out,
                      const mp_device **dev, mp_diag *d);

/* The model whose PCI device ID list holds id (0xDDDDVVVV), or NULL. */
const mp_model *mp_db_find_pci(const mp_db *db, uint32_t id);

/* The excluded device with PCI device ID id (*where, may be NULL, gets the
 * model whose file lists it), or NULL. */
const mp_excluded_device *mp_db_excluded_pci(const mp_db *db, uint32_t id,
                                             const mp_model **where);

/* The device of m with PCI device ID id, or NULL. */
const mp_device *mp_model_device(const mp_model *m, uint32_t id);

/* The name to show for m when device id was seen: that device's first
 * nvidia-smi name, else m->name. */
const char *mp_model_product(const mp_model *m, uint32_t id);

/* A GI profile of m by canonical name, or NULL. Index with mp_profile_index. */
const mp_gi_profile *mp_model_profile(const mp_model *m, const char *name);
int mp_profile_index(const mp_model *m, const mp_gi_profile *p);
/* The GI profile of m with nvidia-smi profile ID id, or NULL. */
const mp_gi_profile *mp_model_profile_by_id(const mp_model *m, int id);
/* Whether p may be placed at memory slice start (one of its placements). */
bool mp_gi_can_start(const mp_gi_profile *p, int start);

/* A CI profile of a GI profile by name, or NULL. */
const mp_ci_profile *mp_gi_ci(const mp_gi_profile *p, const char *name);

/* The note that marks `field` as inferred or derived, or NULL. */
const char *mp_prov_inferred(const mp_provenance *p, const char *field);
const char *mp_prov_derived(const mp_provenance *p, const char *field);

/* Parse "0x233010DE" (or "0x2330", assuming NVIDIA's vendor 0x10DE). */
bool mp_parse_pci_id(const char *s, uint32_t *out);

/* "{0,2,4}:2" from a profile's placements. */
void mp_format_placements(const mp_gi_profile *p, char *buf, size_t n);

/* Memory in GiB with two decimals as -lgip prints it, from MiB. */
void mp_format_gib(int mib, char *buf, size_t n);

/* MiB from -lgip's GiB text ("9.62" -> 9856): sizes sit on a 1/16 GiB
 * grid, which -lgip rounds to two decimals. Returns false when s is not a
 * number with two decimals or no grid size prints as s. */
bool mp_gib_to_mib(const char *s, int *out);

#endif
