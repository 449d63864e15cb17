/* profile_db.h - the MIG profile database: GPU models and their profiles.
 *
 * The facts live in profiles/<model>.yaml, one file per GPU model. The files
 * are embedded into the binary at build time; a directory given with
 * --profiles DIR or MIGPLAN_PROFILES adds models or replaces same-id ones.
 * Loading validates every file and rejects inconsistent data with
 * file:line:col. The database is read-only once loaded and lives in one
 * arena: mp_db_free() releases it all.
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
    int memory_slices; /* placement size in units */
    int memory_mib;
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
    mp_provenance prov;
    bool confirmed; /* nothing inferred */
    int line;       /* where the profile starts in its file */
} mp_gi_profile;

typedef struct mp_model {
    const char *id;             /* canonical, e.g. "h100-sxm5-80gb" */
    const char *name;           /* as nvidia-smi prints it */
    const char **product_names; /* every nvidia-smi name of the model */
    int n_product_names;
    const char **aliases;
    int n_aliases;
    const uint32_t *pci_ids; /* 0xDDDD10DE as mig-parted writes them */
    int n_pci_ids;
    const char *architecture;
    int memory_mib;     /* whole GPU with MIG disabled */
    int sms;            /* whole GPU, -1 when unknown */
    int units;          /* placement units (memory slices): 8, 4 or 12 */
    int compute_slices; /* 7 or 4 */
    const char *min_driver;
    const char *memory_driver; /* driver whose -lgip memory sizes are encoded */
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

/* Load the profiles embedded at build time, then, if dir is not NULL, every
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

/* Find a model by canonical id, alias, PCI device ID (0x233510DE, 0x2335,
 * with or without a subsystem part) or nvidia-smi product name, all
 * case-insensitive. On failure d says which known ids are closest. */
int mp_db_find(const mp_db *db, const char *query, const mp_model **out,
               mp_diag *d);

/* The model whose PCI device ID list holds id (0xDDDDVVVV), or NULL. */
const mp_model *mp_db_find_pci(const mp_db *db, uint32_t id);

/* A GI profile of m by canonical name, or NULL. Index with mp_profile_index. */
const mp_gi_profile *mp_model_profile(const mp_model *m, const char *name);
int mp_profile_index(const mp_model *m, const mp_gi_profile *p);

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

#endif
