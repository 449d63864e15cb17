// SPDX-License-Identifier: Apache-2.0
/* finding_rules.c - the finding codes as data: one row per code with a
 * short name and the advice a code-scanning page or a man page shows. */
#include "migplan/util/finding_rules.h"

#include <string.h>

#include "migplan/util/suggest.h"

#define E MP_SEV_ERROR
#define W MP_SEV_WARNING
#define N MP_SEV_NOTE

const mp_finding_rule mp_finding_rules[] = {
    {"all-zero", E, "Every count in mig-devices is 0",
     "mig-parted rejects an entry whose mig-devices counts are all 0. Use "
     "`mig-devices: {}` for a GPU with MIG on and no instances."},
    {"bad-count", E, "Count is not a whole number mig-parted can read",
     "Counts are 64-bit integers; a GPU holds at most 7 instances. Write a "
     "small whole number."},
    {"bad-device-filter", E, "device-filter is not an NVIDIA PCI device ID",
     "mig-parted ignores filters it cannot parse, so the entry silently "
     "applies to no GPU. Write 8 hex digits, the device then 10DE, quoted: "
     "\"0x20B010DE\"."},
    {"bad-devices", E, "devices is neither \"all\" nor a list of indices",
     "Write `devices: all` or a list of GPU indices such as `[0, 1]`."},
    {"bad-key", E, "Key that JSON cannot hold",
     "mig-parted converts YAML to JSON, whose keys are strings; a list, map "
     "or null key makes it reject the file. Quote the key."},
    {"bad-profile-name", E, "Not a MIG profile name",
     "Profile names look like 1g.10gb, 1c.3g.40gb or 1g.10gb+me; "
     "`migplan profiles MODEL` lists a model's names."},
    {"bad-type", E, "Field of the wrong YAML type",
     "mig-parted decodes each field into a Go type and rejects the file when "
     "the YAML value has another type. The message names the expected type; "
     "quote strings, leave booleans and numbers bare."},
    {"bad-version", E, "version is not v1",
     "v1 is the only version mig-parted knows: write `version: v1`."},
    {"compute-instances-do-not-fit", E,
     "Compute instances do not fit their GPU instance",
     "The compute-instance profiles listed for a GPU instance need more "
     "compute slices than it has; `migplan profiles MODEL` shows each "
     "profile's compute-instance splits."},
    {"config-name-type", W, "Config name is not a string in YAML 1.1",
     "A name such as 1 or yes reads as a number or boolean, so mig-parted "
     "knows the config by another name and `-c NAME` does not find it. "
     "Quote the name."},
    {"configmap-key", E, "ConfigMap holds the config under another key",
     "MIG Manager reads only the ConfigMap key config.yaml; move the "
     "mig-parted config there."},
    {"count-too-large", E, "More instances than fit one GPU",
     "A profile's count exceeds how many such instances the GPU model holds "
     "(its max count and slices). Lower the count or choose a smaller "
     "profile; `migplan profiles MODEL` lists the limits."},
    {"counts-as-other-resource", W,
     "Plan: an instance in use counts as a tenant whose pods cannot use it",
     "(plan from node states) An instance in use whose process is named "
     "otherwise than the tenant it now counts as is of another profile than "
     "the resource that tenant's pods request (mixed strategy: "
     "nvidia.com/mig-<profile>), so in Kubernetes no pod of that tenant can "
     "run on it. Name the tenant after the process, or give the tenant "
     "that profile."},
    {"device-index", E, "GPU index that can never match",
     "A negative or absurd GPU index matches no GPU and mig-parted ignores "
     "it silently. Use the node-local indices 0 to N-1."},
    {"device-out-of-range", E, "GPU index not on the node",
     "The --node inventory has fewer GPUs than the index; fix the index or "
     "the inventory."},
    {"device-unknown", N, "The node file leaves a GPU's PCI ID open",
     "The node file names the GPU by model only, so an entry's device-filter "
     "cannot be matched against its PCI device (and subsystem) ID as "
     "mig-parted does. Give the ID: `model: \"0x2330\"` or the nvidia-smi "
     "--query-gpu pci.device_id."},
    {"devices-when-disabled", E, "mig-devices given with mig-enabled false",
     "mig-parted rejects MIG devices on a GPU with MIG off. Set "
     "`mig-enabled: true` or remove mig-devices."},
    {"does-not-fit", E, "Layout does not fit the GPU",
     "No placement of these GPU instances fits the GPU's memory slices, "
     "compute slices or per-profile limits; the message names the "
     "constraint. `migplan fit MODEL PROFILE...` shows what fits."},
    {"duplicate-device", W, "GPU listed twice in devices",
     "The second mention changes nothing; remove it."},
    {"duplicate-key", E, "Duplicate key",
     "mig-parted keeps the last of duplicate keys silently, so the first is "
     "ignored. Remove or rename one of them."},
    {"empty-config", E, "Config with no entries",
     "mig-parted rejects a config that is null or an empty list; give it at "
     "least one entry or remove it."},
    {"entry-matches-nothing", W, "Entry applies to no GPU of the node",
     "Its devices and device-filter select none of the --node GPUs, so it "
     "does nothing on that node."},
    {"extra-documents", W, "More than one YAML document",
     "mig-parted reads only the first document of the file and ignores the "
     "rest; split the file or remove the extra `---`."},
    {"file-rejected", E, "mig-parted rejects the whole file",
     "A mistake elsewhere in the file makes mig-parted refuse all of it, so "
     "no config in it can be applied (all-disabled included) and MIG Manager "
     "fails on every node. Fix the errors listed after this one."},
    {"inferred-data", N, "Checked with inferred profile data",
     "Some profile facts of this model were inferred rather than read from "
     "real nvidia-smi output; `migplan gpus` shows which. Capture "
     "`nvidia-smi mig -lgip` and `-lgipp` on the GPU and import them with "
     "`migplan import-profiles` to confirm them."},
    {"inferred-profile", W, "Plan: a tenant placed on inferred profile data",
     "(plan) A profile serving the tenant has a value marked inferred in "
     "profiles/*.yaml, not confirmed by NVIDIA or a capture; `migplan "
     "profiles MODEL` names it. Check it on the GPU (`migplan "
     "import-profiles`) before relying on the plan."},
    {"limit", E, "Input over a size limit",
     "The file, or a value in it, is larger than migplan reads (a guard "
     "against hostile input); no real mig-parted config comes near it."},
    {"little-spare", W, "Plan: a replica left less spare memory than asked",
     "(plan) The instance leaves the replica less than min-spare (default "
     "512 MiB) beyond the memory it asks: little room for its use to grow. "
     "Add headroom: to the tenant or raise its memory."},
    {"min-driver", N, "Profile needs a newer driver",
     "This profile exists only from the named driver version on; nodes with "
     "an older driver cannot create it."},
    {"missing-field", E, "Entry without devices or mig-enabled",
     "Every entry needs `devices` and `mig-enabled`; mig-parted rejects the "
     "file otherwise."},
    {"missing-mig-devices", E, "mig-enabled true without mig-devices",
     "mig-parted requires mig-devices when mig-enabled is true; give the "
     "profiles, or `mig-devices: {}` for none."},
    {"missing-version", E, "No version field",
     "mig-parted refuses a file without `version`; add `version: v1` at the "
     "top."},
    {"mixed-models", E, "Profiles of different GPU models in one entry",
     "No single GPU has all these profiles. Split the entry with a "
     "device-filter per model (`migplan gpus` lists the PCI IDs)."},
    {"models-inferred", N, "Models chosen by profile names",
     "The entry has no device-filter and neither --gpu nor --node was "
     "given, so it was checked against every model whose profile table "
     "holds its names. Give --gpu MODEL or --node FILE to check one "
     "model."},
    {"multiple-entries", W, "Several entries apply to one GPU",
     "mig-parted applies every matching entry in turn and the last one "
     "wins; make the devices or device-filters disjoint."},
    {"negative-count", E, "Negative count",
     "mig-parted rejects negative counts; use 0 or remove the profile."},
    {"no-config", W, "Manifest without a mig-parted config",
     "The Kubernetes manifest has no ConfigMap with a config.yaml key, so "
     "there is nothing to check."},
    {"no-configs", E, "File defines no mig-configs",
     "mig-parted parses the file, but selecting any config fails (selected "
     "mig-config not present). Add configs under `mig-configs:`."},
    {"no-creation-order", W, "Layout needs explicit placements",
     "The layout fits only with explicit start slots: with the driver "
     "choosing slots, as mig-parted lets it, no creation order reaches it. "
     "Create it with the script of `migplan script`, which places each "
     "instance."},
    {"no-devices", W, "devices selects no GPU",
     "`devices: []` makes the entry do nothing; list GPU indices or write "
     "`devices: all`."},
    {"no-nvenc", W, "Plan: a media tenant on a GPU without NVENC",
     "(plan) A media tenant's instance has no video encoder (Hopper GPUs "
     "have NVDEC and NVJPG but no NVENC): the encode half of a transcode "
     "cannot run there. Restrict the tenant with models: to a GPU with "
     "NVENC, or give it engines: {nvenc: 1}."},
    {"no-nvlink", W,
     "Plan: a tensor-parallel tenant on GPUs NVLink does not join",
     "(plan) A whole-gpu: N tenant (N > 1) is on a board whose NVLink joins "
     "fewer than N GPUs (H100 PCIe and H100 NVL: pairs; H200 NVL: four; "
     "RTX PRO 6000: none), so its replicas' GPUs talk over PCIe, which "
     "training across GPUs is too slow on. Restrict the tenant with models: "
     "to an SXM board, whose GPUs NVSwitch joins all to all."},
    {"no-such-config", E, "No config of that name",
     "--config names a config the file does not define (mig-parted: "
     "selected mig-config not present); the message lists the names it "
     "has."},
    {"non-canonical-name", W, "Profile name not as mig-parted writes it",
     "mig-parted's `assert` compares profile names as text, never passes, "
     "and apply redoes the GPU every time. Write the canonical name the "
     "message gives."},
    {"not-checked", W, "Entry could not be checked",
     "No GPU model migplan knows has these profile names. Name the GPU with "
     "--gpu MODEL, --node FILE or a device-filter, or add its profiles with "
     "--profiles DIR."},
    {"not-json", E, "Value JSON cannot hold",
     "mig-parted converts YAML to JSON and rejects values such as .nan or "
     ".inf; write a number."},
    {"null-enabled", W, "mig-enabled has no value",
     "mig-parted reads an empty mig-enabled as false; write true or "
     "false."},
    {"single-strategy", E,
     "A config the GPU Operator's single strategy cannot serve",
     "Under mig.strategy single every GPU of a node is MIG-enabled with one "
     "profile (as the all-* configs are), and the device plugin advertises "
     "it as nvidia.com/gpu. Give the node one profile, or use mig.strategy "
     "mixed (check --strategy says which the cluster uses)."},
    {"stranded-compute", W, "Layout idles compute slices",
     "No memory is left for some compute slices, so they can never be used. "
     "A larger profile on the last memory slices would use them; "
     "`migplan fit` shows the alternatives."},
    {"stranded-memory", W, "Layout leaves memory slices unusable",
     "No profile can be placed on some memory slices (seven 1g instances on "
     "eight slices leave one); a profile using them would give that memory "
     "to a tenant."},
    {"subsystem-unknown", N, "Board subsystem not known",
     "The device-filter names a board subsystem ID; give `subsystem:` for "
     "the GPU in the --node file to check it. It is assumed to match."},
    {"uncovered-gpu", W, "Node GPU matched by no entry",
     "mig-parted apply leaves the GPU as it is and a full `assert` fails; "
     "add an entry for it (or `devices: all`)."},
    {"unknown-compute-instance", E, "Unknown compute-instance profile",
     "The GPU model has no such compute-instance profile inside this GPU "
     "instance; the message gives the closest names."},
    {"unknown-device", W, "PCI device ID of no known GPU",
     "Entries for this device are not checked. Add the model's profiles "
     "with --profiles DIR (`migplan import-profiles` makes the file)."},
    {"unknown-field", E, "Unknown key in an entry",
     "mig-parted rejects unknown keys. Valid keys: device-filter, devices, "
     "mig-enabled, mig-devices."},
    {"unknown-profile", E, "Profile the GPU model does not have",
     "The model has no profile of that name; the message gives the closest "
     "names and `migplan profiles MODEL` lists them all."},
    {"yaml-syntax", E, "YAML syntax error",
     "The file is not YAML mig-parted can read; fix the syntax at the "
     "position given."},
    {"yaml11-bool", N, "YAML 1.1 boolean spelling",
     "on, off, yes and no are booleans in YAML 1.1, as mig-parted reads "
     "them; write true or false so every reader agrees."},
    {"zero-count", W, "Profile with a count of 0",
     "mig-parted's `assert` compares the maps by size and never passes, so "
     "apply redoes the GPU every time; remove the key."},
    {NULL, E, NULL, NULL},
};

const mp_finding_rule *mp_finding_rule_find(const char *code)
{
    for (const mp_finding_rule *r = mp_finding_rules; code && r->code; r++)
        if (strcmp(r->code, code) == 0)
            return r;
    return NULL;
}

const char *mp_finding_code_suggest(const char *word)
{
    const char *names[256];
    int n = 0;
    for (const mp_finding_rule *r = mp_finding_rules; r->code && n < 256; r++)
        names[n++] = r->code;
    return mp_suggest(word, names, n);
}
