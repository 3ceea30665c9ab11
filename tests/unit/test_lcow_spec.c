/* Tests of the LCOW guest document: the runtime-spec type table, the table-driven normaliser
 * (Go's unmarshal into specs.Spec and marshal back), the cleanup rules of the reference's
 * createLCOWSpec and the hosted-system wrapper, and a comparison with the OciSpecification
 * documents of the conformance traces. The module's sources are linked in directly. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gcs_document.h"
#include <hcsoci/runtime_spec.h>
#include "spec_normalize.h"
#include "test_support.h"

/* ---- Helpers ---- */

/* Compact JSON text (key order as stored), for order-sensitive comparisons. */
static char *dump(const json_t *value)
{
    char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    return text;
}

/* CU_ASSERTs that actual is written exactly as expected (same keys in the same order). */
static void assert_same_text(const json_t *actual, const json_t *expected)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(actual);
    char *actual_text = dump(actual), *expected_text = dump(expected);
    if (strcmp(actual_text, expected_text) != 0) {
        fprintf(stderr, "\n  actual:   %s\n  expected: %s\n", actual_text, expected_text);
        CU_FAIL("JSON text differs");
    }
    free(actual_text);
    free(expected_text);
}

/* Normalises input text (given canonical keys first, as the core gives them to the module)
 * and checks the result against expected text (both single-quoted). */
static void assert_normalizes_to(const char *input_text, const char *expected_text)
{
    json_t *given = test_quoted_json(input_text), *expected = test_quoted_json(expected_text);
    json_t *input = NULL, *normalized = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL_FATAL(hcsoci_spec_canonical_keys(given, &input, &error), 0);
    json_decref(given);
    CU_ASSERT_EQUAL(spec_normalize(input, &normalized, &error), 0);
    if (error != NULL) {
        fprintf(stderr, "\n  unexpected error: %s\n", error->message);
        hcsoci_error_free(error);
    }
    if (normalized != NULL)
        assert_same_text(normalized, expected);
    else
        CU_FAIL("no normalised spec");
    json_decref(normalized);
    json_decref(input);
    json_decref(expected);
}

/* Normalising input must fail with an invalid-input error whose message contains needle. */
static void assert_normalize_fails(const char *input_text, const char *needle)
{
    json_t *input = test_quoted_json(input_text);
    json_t *normalized = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(spec_normalize(input, &normalized, &error), -1);
    CU_ASSERT_PTR_NULL(normalized);
    json_decref(normalized);
    if (error != NULL)
        CU_ASSERT_EQUAL(error->code, HCSOCI_E_INVALID);
    TEST_ASSERT_ERROR_CONTAINS(error, needle);
    json_decref(input);
}

/* The guest spec for input (single-quoted) must be written exactly as expected. */
static void assert_gcs_spec(const char *input_text, const char *expected_text)
{
    json_t *input = test_quoted_json(input_text), *expected = test_quoted_json(expected_text);
    json_t *gcs_spec = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(lcow_gcs_spec(input, &gcs_spec, &error), 0);
    if (error != NULL) {
        fprintf(stderr, "\n  unexpected error: %s\n", error->message);
        hcsoci_error_free(error);
    }
    if (gcs_spec != NULL)
        assert_same_text(gcs_spec, expected);
    else
        CU_FAIL("no guest spec");
    json_decref(gcs_spec);
    json_decref(input);
    json_decref(expected);
}

/* A spec that sets every field of runtime-spec v1.0.2, written in Go's field order, with map
 * keys sorted, and with no empty value in an omitempty field: Go writes it back unchanged. */
static const char full_spec_text[] =
    "{'ociVersion': '1.0.2',"
    " 'process': {'terminal': true, 'consoleSize': {'height': 25, 'width': 80},"
    "  'user': {'uid': 1000, 'gid': 1001, 'umask': 18, 'additionalGids': [4, 27],"
    "           'username': 'app'},"
    "  'args': ['/bin/app', '--flag'], 'commandLine': 'app.exe --flag', 'env': ['A=1'],"
    "  'cwd': '/srv',"
    "  'capabilities': {'bounding': ['CAP_CHOWN'], 'effective': ['CAP_CHOWN'],"
    "                   'inheritable': ['CAP_KILL'], 'permitted': ['CAP_CHOWN'],"
    "                   'ambient': ['CAP_NET_BIND_SERVICE']},"
    "  'rlimits': [{'type': 'RLIMIT_NOFILE', 'hard': 1024, 'soft': 512}],"
    "  'noNewPrivileges': true, 'apparmorProfile': 'docker-default', 'oomScoreAdj': -500,"
    "  'selinuxLabel': 'system_u:system_r:container_t:s0'},"
    " 'root': {'path': 'rootfs', 'readonly': true},"
    " 'hostname': 'full',"
    " 'mounts': [{'destination': '/data', 'type': 'bind', 'source': '/host/data',"
    "             'options': ['rbind', 'ro']}],"
    " 'hooks': {'prestart': [{'path': '/bin/pre', 'args': ['pre'], 'env': ['X=1'], 'timeout': 5}],"
    "  'createRuntime': [{'path': '/bin/cr'}], 'createContainer': [{'path': '/bin/cc'}],"
    "  'startContainer': [{'path': '/bin/sc'}], 'poststart': [{'path': '/bin/ps'}],"
    "  'poststop': [{'path': '/bin/pst'}]},"
    " 'annotations': {'org.example/a': '1', 'org.example/b': '2'},"
    " 'linux': {"
    "  'uidMappings': [{'containerID': 0, 'hostID': 100000, 'size': 65536}],"
    "  'gidMappings': [{'containerID': 0, 'hostID': 200000, 'size': 65536}],"
    "  'sysctl': {'net.ipv4.ip_forward': '1'},"
    "  'resources': {"
    "   'devices': [{'allow': false, 'type': 'c', 'major': 10, 'minor': 229, 'access': 'rwm'}],"
    "   'memory': {'limit': 536870912, 'reservation': 268435456, 'swap': 1073741824,"
    "              'kernel': 67108864, 'kernelTCP': 16777216, 'swappiness': 60,"
    "              'disableOOMKiller': true, 'useHierarchy': true},"
    "   'cpu': {'shares': 512, 'quota': 50000, 'period': 100000, 'realtimeRuntime': 950000,"
    "           'realtimePeriod': 1000000, 'cpus': '0-1', 'mems': '0'},"
    "   'pids': {'limit': 100},"
    "   'blockIO': {'weight': 500, 'leafWeight': 300,"
    "    'weightDevice': [{'major': 8, 'minor': 0, 'weight': 600, 'leafWeight': 200}],"
    "    'throttleReadBpsDevice': [{'major': 8, 'minor': 0, 'rate': 1048576}],"
    "    'throttleWriteBpsDevice': [{'major': 8, 'minor': 16, 'rate': 2097152}],"
    "    'throttleReadIOPSDevice': [{'major': 8, 'minor': 0, 'rate': 100}],"
    "    'throttleWriteIOPSDevice': [{'major': 8, 'minor': 16, 'rate': 200}]},"
    "   'hugepageLimits': [{'pageSize': '2MB', 'limit': 209715200}],"
    "   'network': {'classID': 1048577, 'priorities': [{'name': 'eth0', 'priority': 500}]},"
    "   'rdma': {'mlx5_1': {'hcaHandles': 3, 'hcaObjects': 10000}}},"
    "  'cgroupsPath': '/kubepods/pod1/c1',"
    "  'namespaces': [{'type': 'network', 'path': '/proc/1/ns/net'}],"
    "  'devices': [{'path': '/dev/fuse', 'type': 'c', 'major': 10, 'minor': 229,"
    "               'fileMode': 438, 'uid': 0, 'gid': 0}],"
    "  'seccomp': {'defaultAction': 'SCMP_ACT_ERRNO', 'architectures': ['SCMP_ARCH_X86_64'],"
    "   'flags': ['SECCOMP_FILTER_FLAG_LOG'],"
    "   'syscalls': [{'names': ['clone'], 'action': 'SCMP_ACT_ALLOW',"
    "                 'args': [{'index': 0, 'value': 2080505856, 'valueTwo': 1,"
    "                           'op': 'SCMP_CMP_MASKED_EQ'}]}]},"
    "  'rootfsPropagation': 'rprivate', 'maskedPaths': ['/proc/kcore'],"
    "  'readonlyPaths': ['/proc/sys'], 'mountLabel': 'system_u:object_r:container_file_t:s0',"
    "  'intelRdt': {'closID': 'guaranteed', 'l3CacheSchema': 'L3:0=7f0', 'memBwSchema': 'MB:0=20'},"
    "  'personality': {'domain': 'LINUX32', 'flags': ['ADDR_NO_RANDOMIZE']}},"
    " 'solaris': {'milestone': 'svc:/milestone/container:default', 'limitpriv': 'default',"
    "  'maxShmMemory': '512m',"
    "  'anet': [{'linkname': 'net0', 'lowerLink': 'net2', 'allowedAddress': '172.17.0.2/16',"
    "            'configureAllowedAddress': 'true', 'defrouter': '172.17.0.1/16',"
    "            'linkProtection': 'mac-nospoof', 'macAddress': '02:42:f8:52:c7:16'}],"
    "  'cappedCPU': {'ncpus': '8'}, 'cappedMemory': {'physical': '512m', 'swap': '1g'}},"
    " 'windows': {'layerFolders': ['C:\\\\layers\\\\base', 'C:\\\\layers\\\\scratch'],"
    "  'devices': [{'id': 'PCIP\\\\VEN_10DE', 'idType': 'gpu'}],"
    "  'resources': {'memory': {'limit': 2147483648},"
    "                'cpu': {'count': 2, 'shares': 5000, 'maximum': 7500},"
    "                'storage': {'iops': 1000, 'bps': 1048576, 'sandboxSize': 21474836480}},"
    "  'credentialSpec': {'CmsPlugin': 'ActiveDirectory', 'DomainJoinConfig': {'Sid': 'S-1-5-21'}},"
    "  'servicing': true, 'ignoreFlushesDuringBoot': true,"
    "  'hyperv': {'utilityVMPath': 'C:\\\\uvm'},"
    "  'network': {'endpointList': ['ep1'], 'allowUnqualifiedDNSQuery': true,"
    "              'DNSSearchList': ['corp.example'], 'networkSharedContainerName': 'shared',"
    "              'networkNamespace': 'ns-1'}},"
    " 'vm': {'hypervisor': {'path': '/usr/bin/hv', 'parameters': ['-x']},"
    "  'kernel': {'path': '/boot/vmlinuz', 'parameters': ['console=ttyS0'],"
    "             'initrd': '/boot/initrd'},"
    "  'image': {'path': '/img.raw', 'format': 'raw'}}}";

/* ---- The type table ---- */

/* Fields seen in a value, as a growing list of table entries. */
typedef struct field_set {
    const hcsoci_runtime_spec_field **fields;
    size_t count, capacity;
} field_set;

static bool field_set_has(const field_set *set, const hcsoci_runtime_spec_field *field)
{
    for (size_t i = 0; i < set->count; i++) {
        if (set->fields[i] == field)
            return true;
    }
    return false;
}

static void field_set_add(field_set *set, const hcsoci_runtime_spec_field *field)
{
    if (field_set_has(set, field))
        return;
    if (set->count == set->capacity) {
        set->capacity = set->capacity * 2 + 16;
        set->fields = realloc(set->fields, set->capacity * sizeof *set->fields);
        CU_ASSERT_PTR_NOT_NULL_FATAL(set->fields);
    }
    set->fields[set->count++] = field;
}

/* Records every table field that value (plain JSON of type) sets. */
static void collect_fields(const hcsoci_runtime_spec_type *type, const json_t *value,
                           field_set *set)
{
    if (value == NULL || json_is_null(value))
        return;
    size_t index;
    const char *key;
    json_t *item;
    switch (type->kind) {
    case HCSOCI_RUNTIME_SPEC_STRUCT:
        for (const hcsoci_runtime_spec_field *field = type->fields; field->json_name != NULL;
             field++) {
            json_t *member = json_object_get(value, field->json_name);
            if (member != NULL) {
                field_set_add(set, field);
                collect_fields(field->type, member, set);
            }
        }
        break;
    case HCSOCI_RUNTIME_SPEC_POINTER:
        collect_fields(type->element, value, set);
        break;
    case HCSOCI_RUNTIME_SPEC_SLICE:
        json_array_foreach(value, index, item) collect_fields(type->element, item, set);
        break;
    case HCSOCI_RUNTIME_SPEC_MAP:
        json_object_foreach((json_t *)value, key, item) collect_fields(type->element, item, set);
        break;
    default:
        break;
    }
}

/* Counts the struct fields reachable from type that set lacks, naming each on stderr. */
static size_t count_unseen_fields(const hcsoci_runtime_spec_type *type, const field_set *set)
{
    size_t unseen = 0;
    switch (type->kind) {
    case HCSOCI_RUNTIME_SPEC_STRUCT:
        for (const hcsoci_runtime_spec_field *field = type->fields; field->json_name != NULL;
             field++) {
            if (!field_set_has(set, field)) {
                fprintf(stderr, "\n  not used by the full spec: %s.%s", type->go_name,
                        field->json_name);
                unseen++;
            }
            unseen += count_unseen_fields(field->type, set);
        }
        break;
    case HCSOCI_RUNTIME_SPEC_POINTER:
    case HCSOCI_RUNTIME_SPEC_SLICE:
    case HCSOCI_RUNTIME_SPEC_MAP:
        unseen += count_unseen_fields(type->element, set);
        break;
    default:
        break;
    }
    return unseen;
}

/* Checks the table's own consistency: names, unique field names, integer widths. Returns the
 * number of struct fields below type (reached through every path). */
static size_t check_table(const hcsoci_runtime_spec_type *type)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(type->go_name);
    size_t fields = 0;
    switch (type->kind) {
    case HCSOCI_RUNTIME_SPEC_INTEGER:
        CU_ASSERT(type->bits == 8 || type->bits == 16 || type->bits == 32 || type->bits == 64);
        break;
    case HCSOCI_RUNTIME_SPEC_STRUCT:
        CU_ASSERT_PTR_NOT_NULL_FATAL(type->fields);
        for (const hcsoci_runtime_spec_field *field = type->fields; field->json_name != NULL;
             field++) {
            CU_ASSERT_PTR_NOT_NULL_FATAL(field->type);
            CU_ASSERT_PTR_EQUAL(hcsoci_runtime_spec_field_named(type, field->json_name), field);
            fields += 1 + check_table(field->type);
        }
        break;
    case HCSOCI_RUNTIME_SPEC_POINTER:
    case HCSOCI_RUNTIME_SPEC_SLICE:
    case HCSOCI_RUNTIME_SPEC_MAP:
        CU_ASSERT_PTR_NOT_NULL_FATAL(type->element);
        CU_ASSERT(type->kind != HCSOCI_RUNTIME_SPEC_POINTER ||
                  type->element->kind != HCSOCI_RUNTIME_SPEC_POINTER);
        fields += check_table(type->element);
        break;
    default:
        break;
    }
    return fields;
}

static void test_table_is_consistent(void)
{
    CU_ASSERT(check_table(hcsoci_runtime_spec_root_type()) > 150);
    /* A few entries whose Go types matter for what counts as empty. */
    const hcsoci_runtime_spec_field *user = hcsoci_runtime_spec_field_named(
        hcsoci_runtime_spec_field_named(hcsoci_runtime_spec_root_type(), "process")->type->element,
        "user");
    CU_ASSERT_EQUAL(user->type->kind, HCSOCI_RUNTIME_SPEC_STRUCT);
    CU_ASSERT_FALSE(user->omitempty);
    const hcsoci_runtime_spec_field *layer_folders =
        hcsoci_runtime_spec_field_named(hcsoci_runtime_spec_windows_type(), "layerFolders");
    CU_ASSERT_EQUAL(layer_folders->type->kind, HCSOCI_RUNTIME_SPEC_SLICE);
    CU_ASSERT_FALSE(layer_folders->omitempty);
    CU_ASSERT_PTR_NULL(
        hcsoci_runtime_spec_field_named(hcsoci_runtime_spec_root_type(), "Hostname"));
    CU_ASSERT_PTR_NULL(
        hcsoci_runtime_spec_field_named(hcsoci_runtime_spec_windows_network_type(), "nope"));
}

/* ---- The normaliser ---- */

static void test_full_spec_uses_every_field_and_survives_unchanged(void)
{
    json_t *spec = test_quoted_json(full_spec_text);
    field_set seen = {NULL, 0, 0};
    collect_fields(hcsoci_runtime_spec_root_type(), spec, &seen);
    CU_ASSERT_EQUAL(count_unseen_fields(hcsoci_runtime_spec_root_type(), &seen), 0);
    free(seen.fields);

    json_t *normalized = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL_FATAL(spec_normalize(spec, &normalized, &error), 0);
    assert_same_text(normalized, spec);
    json_decref(normalized);
    json_decref(spec);
}

/* Adds an unknown member to every object of a JSON value, recursively. */
static void add_unknown_members(json_t *value)
{
    size_t index;
    const char *key;
    json_t *item;
    if (json_is_object(value)) {
        json_object_foreach(value, key, item) add_unknown_members(item);
        CU_ASSERT_EQUAL(json_object_set_new(value, "x-unknown", json_pack("{s:i}", "n", 1)), 0);
    } else if (json_is_array(value)) {
        json_array_foreach(value, index, item) add_unknown_members(item);
    }
}

static void test_unknown_fields_are_dropped_everywhere(void)
{
    json_t *spec = test_quoted_json(full_spec_text);
    json_t *expected = json_deep_copy(spec);
    add_unknown_members(spec);
    /* Maps keep every key and interface{} values keep everything: there the extra member is
     * a real entry (annotations, sysctl) or is taken out again (rdma, credentialSpec). */
    static const char *const string_maps[][2] = {{"annotations", NULL}, {"linux", "sysctl"}};
    for (size_t i = 0; i < 2; i++) {
        json_t *in_spec = json_object_get(spec, string_maps[i][0]);
        json_t *in_expected = json_object_get(expected, string_maps[i][0]);
        if (string_maps[i][1] != NULL) {
            in_spec = json_object_get(in_spec, string_maps[i][1]);
            in_expected = json_object_get(in_expected, string_maps[i][1]);
        }
        CU_ASSERT_EQUAL(json_object_set_new(in_spec, "x-unknown", json_string("kept")), 0);
        CU_ASSERT_EQUAL(json_object_set_new(in_expected, "x-unknown", json_string("kept")), 0);
    }
    json_t *rdma = json_object_get(
        json_object_get(json_object_get(spec, "linux"), "resources"), "rdma");
    CU_ASSERT_EQUAL(json_object_del(rdma, "x-unknown"), 0);
    json_t *credential_spec = json_deep_copy(
        json_object_get(json_object_get(expected, "windows"), "credentialSpec"));
    CU_ASSERT_EQUAL(
        json_object_set_new(json_object_get(spec, "windows"), "credentialSpec", credential_spec),
        0);

    json_t *normalized = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL_FATAL(spec_normalize(spec, &normalized, &error), 0);
    assert_same_text(normalized, expected);
    json_decref(normalized);
    json_decref(expected);
    json_decref(spec);
}

static void test_fields_come_out_in_go_order(void)
{
    assert_normalizes_to("{'linux': {'namespaces': [{'path': '/p', 'type': 'pid'}]},"
                         " 'hostname': 'h', 'root': {'readonly': true, 'path': 'r'},"
                         " 'ociVersion': '1'}",
                         "{'ociVersion': '1', 'root': {'path': 'r', 'readonly': true},"
                         " 'hostname': 'h', 'linux': {'namespaces': [{'type': 'pid', 'path': '/p'}]}}");
    /* Go sorts map keys when it writes them. */
    assert_normalizes_to("{'ociVersion': '1', 'annotations': {'b': '2', 'a': '1', 'B': '3'}}",
                         "{'ociVersion': '1', 'annotations': {'B': '3', 'a': '1', 'b': '2'}}");
    /* jansson's parser refuses NUL characters in keys, but its API makes them: such keys sort
     * bytewise in maps and never name a struct field. */
    json_t *spec = test_quoted_json("{'ociVersion': '1', 'annotations': {'b': '1', 'a': '3'}}");
    CU_ASSERT_EQUAL(json_object_setn_new(spec, "hostname\0x", 10, json_string("h")), 0);
    CU_ASSERT_EQUAL(json_object_setn_new(json_object_get(spec, "annotations"), "a\0b", 3,
                                         json_string("2")),
                    0);
    json_t *normalized = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL_FATAL(spec_normalize(spec, &normalized, &error), 0);
    CU_ASSERT_PTR_NULL(json_object_get(normalized, "hostname"));
    json_t *annotations = json_object_get(normalized, "annotations");
    CU_ASSERT_EQUAL(json_object_size(annotations), 3);
    void *iterator = json_object_iter(annotations);
    static const char *const order[] = {"a", "a\0b", "b"};
    static const size_t lengths[] = {1, 3, 1};
    for (size_t i = 0; i < 3 && iterator != NULL; i++) {
        CU_ASSERT_EQUAL(json_object_iter_key_len(iterator), lengths[i]);
        CU_ASSERT_EQUAL(memcmp(json_object_iter_key(iterator), order[i], lengths[i]), 0);
        iterator = json_object_iter_next(annotations, iterator);
    }
    json_decref(normalized);
    json_decref(spec);
}

static void test_omitempty_drops_empty_values(void)
{
    /* "", false, 0, nil and empty slices and maps go; fields without omitempty stay. */
    assert_normalizes_to(
        "{'ociVersion': '', 'hostname': '', 'mounts': [], 'annotations': {},"
        " 'process': {'terminal': false, 'user': {'uid': 0, 'gid': 0, 'umask': 0,"
        "  'additionalGids': []}, 'args': [], 'cwd': '', 'oomScoreAdj': null},"
        " 'root': {'path': '', 'readonly': false}}",
        "{'ociVersion': '', 'process': {'user': {'uid': 0, 'gid': 0}, 'cwd': ''},"
        " 'root': {'path': ''}}");
    /* Absent fields without omitempty are written with their zero values. */
    assert_normalizes_to("{'process': {}, 'mounts': [{}], 'linux': {'resources': {'pids': {}}}}",
                         "{'ociVersion': '', 'process': {'user': {'uid': 0, 'gid': 0}, 'cwd': ''},"
                         " 'mounts': [{'destination': ''}],"
                         " 'linux': {'resources': {'pids': {'limit': 0}}}}");
    /* A pointer to a zero value is not empty; nor is an empty struct behind a pointer. */
    assert_normalizes_to(
        "{'ociVersion': '1', 'process': {'cwd': '/', 'oomScoreAdj': 0},"
        " 'linux': {'resources': {'memory': {'limit': 0, 'disableOOMKiller': false}},"
        "  'devices': [{'path': '/dev/x', 'type': 'c', 'major': 0, 'minor': 0, 'uid': 0}]},"
        " 'hooks': {}}",
        "{'ociVersion': '1', 'process': {'user': {'uid': 0, 'gid': 0}, 'cwd': '/',"
        "  'oomScoreAdj': 0}, 'hooks': {},"
        " 'linux': {'resources': {'memory': {'limit': 0, 'disableOOMKiller': false}},"
        "  'devices': [{'path': '/dev/x', 'type': 'c', 'major': 0, 'minor': 0, 'uid': 0}]}}");
    /* omitempty never omits a struct value: the VM's parts are always written. */
    assert_normalizes_to("{'ociVersion': '1', 'vm': {}}",
                         "{'ociVersion': '1', 'vm': {'hypervisor': {'path': ''},"
                         " 'kernel': {'path': ''}, 'image': {'path': '', 'format': ''}}}");
    /* A slice without omitempty is null when nil and [] when empty. */
    assert_normalizes_to(
        "{'ociVersion': '1', 'windows': {'layerFolders': []},"
        " 'linux': {'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW',"
        "  'syscalls': [{'action': 'SCMP_ACT_KILL'}, {'names': [], 'action': 'SCMP_ACT_KILL'}]}}}",
        "{'ociVersion': '1', 'linux': {'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW',"
        "  'syscalls': [{'names': null, 'action': 'SCMP_ACT_KILL'},"
        "   {'names': [], 'action': 'SCMP_ACT_KILL'}]}}, 'windows': {'layerFolders': []}}");
    assert_normalizes_to("{'ociVersion': '1', 'windows': {}}",
                         "{'ociVersion': '1', 'windows': {'layerFolders': null}}");
}

static void test_null_follows_go(void)
{
    /* null leaves scalars and struct values alone and makes pointers, slices and maps nil. */
    assert_normalizes_to(
        "{'ociVersion': null, 'hostname': null, 'process': {'user': null, 'cwd': null,"
        " 'args': null, 'consoleSize': null}, 'annotations': {'a': null}, 'root': null,"
        " 'mounts': [null]}",
        "{'ociVersion': '', 'process': {'user': {'uid': 0, 'gid': 0}, 'cwd': ''},"
        " 'mounts': [{'destination': ''}], 'annotations': {'a': ''}}");
    /* A null spec decodes to the zero specs.Spec, as json.Unmarshal leaves it. */
    json_t *normalized = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(spec_normalize(json_null(), &normalized, &error), 0);
    json_t *expected = test_quoted_json("{'ociVersion': ''}");
    assert_same_text(normalized, expected);
    json_decref(expected);
    json_decref(normalized);
}

/* The core's canonical keys and the module's exact decoding give together what Go's decoding
 * gives. */
static void test_keys_match_case_insensitively(void)
{
    /* An exact name wins; otherwise Go folds case (and KELVIN SIGN, LONG S). */
    assert_normalizes_to("{'OCIVERSION': '1', 'Process': {'CWD': '/', 'User': {'UID': 5}},"
                         " 'vm': {'\\u212Aernel': {'path': '/k'}}, 'ho\\u017Ftname': 'h'}",
                         "{'ociVersion': '1', 'process': {'user': {'uid': 5, 'gid': 0}, 'cwd': '/'},"
                         " 'hostname': 'h', 'vm': {'hypervisor': {'path': ''},"
                         " 'kernel': {'path': '/k'}, 'image': {'path': '', 'format': ''}}}");
    /* Other non-ASCII letters do not fold to ASCII. */
    assert_normalizes_to("{'ociVersion': '1', 'hostnam\\u00e9': 'h'}", "{'ociVersion': '1'}");
    /* Two spellings of one key: the later one decodes into what the earlier one left. */
    assert_normalizes_to("{'ociVersion': '1', 'hostname': 'a', 'HOSTNAME': 'b',"
                         " 'process': {'cwd': '/a'}, 'PROCESS': {'terminal': true},"
                         " 'annotations': {'a': '1'}, 'Annotations': {'b': '2'},"
                         " 'mounts': [{'destination': '/a', 'type': 'bind'}],"
                         " 'Mounts': [{'destination': '/b'}, {'destination': '/c'}]}",
                         "{'ociVersion': '1', 'process': {'terminal': true, 'user': {'uid': 0,"
                         " 'gid': 0}, 'cwd': '/a'}, 'hostname': 'b',"
                         " 'mounts': [{'destination': '/b', 'type': 'bind'}, {'destination': '/c'}],"
                         " 'annotations': {'a': '1', 'b': '2'}}");
    assert_normalizes_to("{'ociVersion': '1', 'process': {'cwd': '/'}, 'Process': null}",
                         "{'ociVersion': '1'}");
}

static void test_interface_values_are_float64(void)
{
    /* windows.credentialSpec is an interface{}: any JSON, numbers as float64, keys sorted. */
    assert_normalizes_to("{'ociVersion': '1', 'windows': {'credentialSpec':"
                         " {'b': [1.0, 2.5, true, null, 's'], 'a': 9007199254740993}}}",
                         "{'ociVersion': '1', 'windows': {'layerFolders': null, 'credentialSpec':"
                         " {'a': 9007199254740992, 'b': [1, 2.5, true, null, 's']}}}");
    assert_normalizes_to("{'ociVersion': '1', 'windows': {'credentialSpec': 'spec.json'}}",
                         "{'ociVersion': '1', 'windows': {'layerFolders': null,"
                         " 'credentialSpec': 'spec.json'}}");
    assert_normalizes_to("{'ociVersion': '1', 'windows': {'credentialSpec': null}}",
                         "{'ociVersion': '1', 'windows': {'layerFolders': null}}");
}

#define X63 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
#define X80 X63 "xxxxxxxxxxxxxxxxx"

static void test_wrong_types_name_the_field_and_value(void)
{
    assert_normalize_fails("[]", "invalid OCI spec: must be an object (Go specs.Spec), not an array");
    assert_normalize_fails("{'process': {'terminal': 'yes'}}",
                           "field 'process.terminal' must be a boolean (Go bool), not a string (\"yes\")");
    assert_normalize_fails("{'process': []}",
                           "field 'process' must be an object (Go specs.Process), not an array");
    assert_normalize_fails("{'ociVersion': 1}",
                           "field 'ociVersion' must be a string (Go string), not an integer (1)");
    assert_normalize_fails("{'mounts': {}}",
                           "field 'mounts' must be an array (Go []specs.Mount), not an object");
    assert_normalize_fails("{'mounts': [{'destination': '/a'}, {'destination': '/b', 'options': ['ro', 5]}]}",
                           "field 'mounts[1].options[1]' must be a string (Go string), not an integer (5)");
    assert_normalize_fails("{'annotations': {'a': 'x', 'b': false}}",
                           "field 'annotations.b' must be a string (Go string), not a boolean (false)");
    assert_normalize_fails("{'annotations': []}",
                           "field 'annotations' must be an object (Go map[string]string), not an array");
    assert_normalize_fails("{'linux': {'resources': {'rdma': {'mlx5_1': {'hcaHandles': 'many'}}}}}",
                           "field 'linux.resources.rdma.mlx5_1.hcaHandles' must be an integer in [0, 4294967295] (Go uint32)");
    /* Long values are cut short in the message. */
    /* The first bad field in the input's order is the one reported. */
    assert_normalize_fails("{'hostname': 2, 'ociVersion': 1}", "field 'hostname'");
    assert_normalize_fails("{'process': {'user': {'uid': '" X80 "'}}}",
                           "not a string (\"" X63 "...)");
}

static void test_integers_follow_go_widths(void)
{
    /* uint32: negative, too large and non-integral numbers are refused. */
    assert_normalize_fails("{'process': {'user': {'uid': -1}}}",
                           "field 'process.user.uid' must be an integer in [0, 4294967295] (Go uint32), not an integer (-1)");
    assert_normalize_fails("{'process': {'user': {'uid': 4294967296}}}",
                           "field 'process.user.uid' must be an integer in [0, 4294967295] (Go uint32), not an integer (4294967296)");
    assert_normalize_fails("{'process': {'user': {'uid': 1.0}}}",
                           "field 'process.user.uid' must be an integer in [0, 4294967295] (Go uint32), not a number (1.0)");
    assert_normalize_fails("{'process': {'user': {'uid': '0'}}}",
                           "field 'process.user.uid' must be an integer in [0, 4294967295] (Go uint32), not a string (\"0\")");
    /* uint16 behind a pointer, uint64, int64, int, os.FileMode. */
    assert_normalize_fails("{'linux': {'resources': {'blockIO': {'weight': 65536}}}}",
                           "field 'linux.resources.blockIO.weight' must be an integer in [0, 65535] (Go uint16)");
    assert_normalize_fails("{'linux': {'resources': {'memory': {'swappiness': -1}}}}",
                           "field 'linux.resources.memory.swappiness' must be an integer in [0, 18446744073709551615] (Go uint64)");
    assert_normalize_fails("{'linux': {'devices': [{'path': '/d', 'type': 'c', 'major': 1e3}]}}",
                           "field 'linux.devices[0].major' must be an integer in [-9223372036854775808, 9223372036854775807] (Go int64)");
    assert_normalize_fails("{'linux': {'devices': [{'fileMode': 4294967296}]}}",
                           "field 'linux.devices[0].fileMode' must be an integer in [0, 4294967295] (Go os.FileMode)");
    assert_normalize_fails("{'process': {'consoleSize': {'height': -1}}}",
                           "field 'process.consoleSize.height' must be an integer in [0, 18446744073709551615] (Go uint)");
    assert_normalize_fails("{'linux': {'seccomp': {'syscalls': [{'args': [{'index': 0.5}]}]}}}",
                           "field 'linux.seccomp.syscalls[0].args[0].index' must be an integer");
    /* The limits themselves are accepted. */
    assert_normalizes_to(
        "{'ociVersion': '1', 'process': {'cwd': '/', 'user': {'uid': 4294967295, 'gid': 0},"
        " 'oomScoreAdj': -9223372036854775808},"
        " 'linux': {'resources': {'blockIO': {'weight': 65535},"
        "  'memory': {'limit': 9223372036854775807}}}}",
        "{'ociVersion': '1', 'process': {'user': {'uid': 4294967295, 'gid': 0}, 'cwd': '/',"
        " 'oomScoreAdj': -9223372036854775808},"
        " 'linux': {'resources': {'memory': {'limit': 9223372036854775807},"
        "  'blockIO': {'weight': 65535}}}}");
}

static void test_decode_of_a_non_spec_type_and_root_path(void)
{
    /* The decoder is generic: any table type, with the given path in front of errors. */
    json_t *input = test_quoted_json("{'networkNamespace': 5}");
    json_t *value = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(spec_value_decode(hcsoci_runtime_spec_windows_network_type(), input,
                                      "windows.network", &value, &error),
                    -1);
    CU_ASSERT_PTR_NULL(value);
    TEST_ASSERT_ERROR_CONTAINS(error, "field 'windows.network.networkNamespace' must be a string");
    json_decref(input);

    error = NULL;
    CU_ASSERT_EQUAL(spec_value_decode(hcsoci_runtime_spec_root_type(), NULL, "", &value, &error),
                    -1);
    TEST_ASSERT_ERROR_CONTAINS(error, "not null");
    CU_ASSERT_PTR_NULL(spec_value_encode(hcsoci_runtime_spec_root_type(), NULL));
    CU_ASSERT_EQUAL(spec_value_encode_field(hcsoci_runtime_spec_root_type(), NULL, "hooks", NULL),
                    -1);
    json_t *zero = spec_value_zero(hcsoci_runtime_spec_root_type());
    CU_ASSERT_EQUAL(
        spec_value_encode_field(hcsoci_runtime_spec_root_type(), zero, "no-such-field", NULL), -1);
    /* The zero value of a struct encodes its fields that are not omitempty. */
    json_t *encoded = spec_value_encode(hcsoci_runtime_spec_root_type(), zero);
    json_t *expected = test_quoted_json("{'ociVersion': ''}");
    assert_same_text(encoded, expected);
    json_decref(expected);
    json_decref(encoded);
    CU_ASSERT_PTR_NULL(spec_value_field_type(hcsoci_runtime_spec_root_type(), "no-such-field"));
    CU_ASSERT_PTR_EQUAL(spec_value_field_type(hcsoci_runtime_spec_root_type(), "windows"),
                        hcsoci_runtime_spec_windows_type());
    json_decref(zero);
}

/* ---- createLCOWSpec's rules ---- */

static void test_full_spec_cleanup(void)
{
    json_t *spec = test_quoted_json(full_spec_text);
    /* What the rules leave, worked out from the input by hand. */
    json_t *expected = json_deep_copy(spec);
    json_object_del(expected, "hooks");
    json_t *linux_section = json_object_get(expected, "linux");
    json_object_del(linux_section, "cgroupsPath");
    json_object_del(linux_section, "seccomp");
    json_t *resources = json_object_get(linux_section, "resources");
    static const char *const removed[] = {"devices", "pids", "blockIO", "hugepageLimits",
                                          "network"};
    for (size_t i = 0; i < 5; i++)
        CU_ASSERT_EQUAL(json_object_del(resources, removed[i]), 0);
    json_t *windows = json_object_get(expected, "windows");
    json_t *reduced = json_pack("{s:n, s:O, s:{s:s}}", "layerFolders", "devices",
                                json_object_get(windows, "devices"), "network",
                                "networkNamespace", "ns-1");
    CU_ASSERT_EQUAL(json_object_set_new(expected, "windows", reduced), 0);

    json_t *gcs_spec = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL_FATAL(lcow_gcs_spec(spec, &gcs_spec, &error), 0);
    assert_same_text(gcs_spec, expected);
    /* Solaris and VM sections are not among the rules: they stay. */
    CU_ASSERT_PTR_NOT_NULL(json_object_get(gcs_spec, "solaris"));
    CU_ASSERT_PTR_NOT_NULL(json_object_get(gcs_spec, "vm"));
    json_decref(gcs_spec);
    json_decref(expected);
    json_decref(spec);
}

/* The guest's spec from the normalised spec, with only the rewritten fields normalised again,
 * is the guest's spec normalised afresh after allocation. */
static void test_gcs_spec_of_the_normalized_spec_matches_a_fresh_one(void)
{
    json_t *original = test_quoted_json(full_spec_text);
    /* A key in another case, as Go matches it (the core makes it canonical), and a rewrite
     * of each field allocation rewrites (the root, a mount, a device), each in a form
     * normalising changes. */
    json_object_set_new(original, "HOSTNAME", json_string("matched-case-insensitively"));
    json_t *canonical = NULL, *rewritten = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL_FATAL(hcsoci_spec_canonical_keys(original, &canonical, &error), 0);
    CU_ASSERT_EQUAL_FATAL(spec_normalize(canonical, &rewritten, &error), 0);
    json_decref(canonical);
    json_object_set_new(json_object_get(rewritten, "root"), "path",
                        json_string("/run/gcs/c/c1/rootfs"));
    json_t *mount = json_array_get(json_object_get(rewritten, "mounts"), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mount);
    json_object_set_new(mount, "source", json_string("/run/mounts/m0"));
    json_object_set_new(mount, "unknownToGo", json_true());
    json_t *device = json_array_get(json_object_get(json_object_get(rewritten, "windows"),
                                                    "devices"), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(device);
    json_object_set_new(device, "id", json_string("vmbus-guid"));

    json_t *fresh = NULL, *reused = NULL;
    CU_ASSERT_EQUAL_FATAL(lcow_gcs_spec(rewritten, &fresh, &error), 0);
    CU_ASSERT_EQUAL_FATAL(lcow_gcs_spec_of_normalized(rewritten, &reused, &error), 0);
    assert_same_text(reused, fresh);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(reused, "hostname")),
                           "matched-case-insensitively");
    CU_ASSERT_STRING_EQUAL(
        json_string_value(json_object_get(json_object_get(reused, "root"), "path")),
        "/run/gcs/c/c1/rootfs");
    CU_ASSERT_PTR_NULL(json_object_get(json_array_get(json_object_get(reused, "mounts"), 0),
                                       "unknownToGo"));
    /* The normalised spec itself is left as it was. */
    CU_ASSERT_PTR_NOT_NULL(json_object_get(rewritten, "hooks"));
    CU_ASSERT_PTR_NOT_NULL(json_object_get(json_object_get(rewritten, "linux"), "seccomp"));
    json_decref(fresh);
    json_decref(reused);
    json_decref(rewritten);
    json_decref(original);
}

static void test_rule_hooks_removed(void)
{
    assert_gcs_spec("{'ociVersion': '1', 'hooks': {'prestart': [{'path': '/bin/true'}]},"
                    " 'linux': {}}",
                    "{'ociVersion': '1', 'linux': {}}");
}

static void test_rule_cgroups_path_and_seccomp_cleared(void)
{
    assert_gcs_spec("{'ociVersion': '1', 'linux': {'cgroupsPath': '/k/p', 'mountLabel': 'm',"
                    " 'seccomp': {'defaultAction': 'SCMP_ACT_ERRNO'}}}",
                    "{'ociVersion': '1', 'linux': {'mountLabel': 'm'}}");
}

static void test_rule_resource_sections_removed(void)
{
    assert_gcs_spec(
        "{'ociVersion': '1', 'linux': {'resources': {'devices': [{'allow': false}],"
        " 'memory': {'limit': 1}, 'cpu': {'shares': 2}, 'pids': {'limit': 3},"
        " 'blockIO': {'weight': 10}, 'hugepageLimits': [{'pageSize': '2MB', 'limit': 0}],"
        " 'network': {'classID': 5}, 'rdma': {'r': {'hcaHandles': 1}}}}}",
        "{'ociVersion': '1', 'linux': {'resources': {'memory': {'limit': 1},"
        " 'cpu': {'shares': 2}, 'rdma': {'r': {'hcaHandles': 1}}}}}");
    /* The resources pointer itself stays, even when nothing is left in it. */
    assert_gcs_spec("{'ociVersion': '1', 'linux': {'resources': {'pids': {'limit': 3}}}}",
                    "{'ociVersion': '1', 'linux': {'resources': {}}}");
}

static void test_rule_windows_reduced(void)
{
    /* Nothing kept: the section goes. */
    assert_gcs_spec("{'ociVersion': '1', 'linux': {}, 'windows': {'layerFolders': ['C:\\\\l'],"
                    " 'resources': {'memory': {'limit': 1}}, 'servicing': true,"
                    " 'hyperv': {}, 'credentialSpec': 'x'}}",
                    "{'ociVersion': '1', 'linux': {}}");
    /* A network section without a namespace, or an empty namespace, is not kept. */
    assert_gcs_spec("{'ociVersion': '1', 'linux': {}, 'windows': {'network': {'endpointList':"
                    " ['e1'], 'networkNamespace': ''}}}",
                    "{'ociVersion': '1', 'linux': {}}");
    /* The namespace alone survives, and layerFolders is written as null. */
    assert_gcs_spec("{'ociVersion': '1', 'linux': {}, 'windows': {'layerFolders': ['C:\\\\l'],"
                    " 'network': {'endpointList': ['e1'], 'allowUnqualifiedDNSQuery': true,"
                    " 'networkNamespace': 'ns'}}}",
                    "{'ociVersion': '1', 'linux': {}, 'windows': {'layerFolders': null,"
                    " 'network': {'networkNamespace': 'ns'}}}");
    /* Devices survive as they are; an empty (non-nil) list keeps the section but is omitted. */
    assert_gcs_spec("{'ociVersion': '1', 'linux': {}, 'windows': {'devices': []}}",
                    "{'ociVersion': '1', 'linux': {}, 'windows': {'layerFolders': null}}");
    assert_gcs_spec("{'ociVersion': '1', 'linux': {}, 'windows': {'devices': null}}",
                    "{'ociVersion': '1', 'linux': {}}");
    assert_gcs_spec("{'ociVersion': '1', 'linux': {}, 'windows': {'devices': [{'id': 'd',"
                    " 'idType': 'gpu', 'extra': 1}], 'network': {'networkNamespace': 'ns'}}}",
                    "{'ociVersion': '1', 'linux': {}, 'windows': {'layerFolders': null,"
                    " 'devices': [{'id': 'd', 'idType': 'gpu'}],"
                    " 'network': {'networkNamespace': 'ns'}}}");
}

static void test_rules_need_a_linux_section(void)
{
    static const char *const inputs[] = {"{'ociVersion': '1'}", "{'linux': null}"};
    for (size_t i = 0; i < 2; i++) {
        json_t *spec = test_quoted_json(inputs[i]);
        json_t *gcs_spec = NULL;
        hcsoci_error *error = NULL;
        CU_ASSERT_EQUAL(lcow_gcs_spec(spec, &gcs_spec, &error), -1);
        CU_ASSERT_PTR_NULL(gcs_spec);
        TEST_ASSERT_ERROR_CONTAINS(error, "a Linux container needs a 'linux' section");
        json_decref(spec);
    }
}

static void test_hosted_document_wraps_the_spec(void)
{
    json_t *spec =
        test_quoted_json("{'ociVersion': '1', 'hooks': {}, 'linux': {'cgroupsPath': 'x'},"
                         " 'unknown': 1}");
    json_t *document = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL_FATAL(
        lcow_hosted_system_document(spec, false, "/run/gcs/c/c1", &document, &error), 0);
    json_t *expected = test_quoted_json("{'SchemaVersion': {'Major': 2, 'Minor': 1},"
                                        " 'OciBundlePath': '/run/gcs/c/c1',"
                                        " 'OciSpecification': {'ociVersion': '1', 'linux': {}}}");
    assert_same_text(document, expected);
    json_decref(expected);
    json_decref(document);

    /* A container root that is not UTF-8 cannot be written. */
    CU_ASSERT_EQUAL(
        lcow_hosted_system_document(spec, false, "/run/gcs/c/\xff", &document, &error), -1);
    CU_ASSERT_PTR_NULL(document);
    TEST_ASSERT_ERROR_CONTAINS(error, "invalid container root in the utility VM");
    error = NULL;

    /* A bad spec gives no document. */
    json_t *bad = test_quoted_json("{'linux': {'maskedPaths': 'all'}}");
    document = NULL;
    CU_ASSERT_EQUAL(
        lcow_hosted_system_document(bad, false, "/run/gcs/c/c1", &document, &error), -1);
    CU_ASSERT_PTR_NULL(document);
    TEST_ASSERT_ERROR_CONTAINS(error, "field 'linux.maskedPaths' must be an array (Go []string), not a string (\"all\")");
    json_decref(bad);
    /* The input is never changed. */
    json_t *original =
        test_quoted_json("{'ociVersion': '1', 'hooks': {}, 'linux': {'cgroupsPath': 'x'},"
                         " 'unknown': 1}");
    CU_ASSERT_TRUE(json_equal(spec, original));
    json_decref(original);
    json_decref(spec);
}

/* ---- The conformance corpus ---- */

/* The HostedSystem document of the trace's HcsCreateComputeSystem call (borrowed), or NULL. */
static json_t *trace_hosted_system(json_t *trace)
{
    size_t index;
    json_t *call;
    json_array_foreach(json_object_get(trace, "calls"), index, call) {
        const char *name = json_string_value(json_object_get(call, "call"));
        if (name != NULL && strcmp(name, "HcsCreateComputeSystem") == 0)
            return json_object_get(json_object_get(json_object_get(call, "args"),
                                                   "configuration"),
                                   "HostedSystem");
    }
    return NULL;
}

/* Puts into the case's spec what resource allocation writes there (allocateLinuxResources),
 * taking the values from the guest's spec in the trace: root.path (root is made when absent),
 * each mount's type and source, and each Windows device's id. */
static void apply_allocation(json_t *spec, const json_t *traced)
{
    json_t *root = json_object_get(spec, "root");
    if (!json_is_object(root)) {
        root = json_object();
        CU_ASSERT_EQUAL_FATAL(json_object_set_new(spec, "root", root), 0);
    }
    json_t *traced_path = json_object_get(json_object_get(traced, "root"), "path");
    CU_ASSERT_PTR_NOT_NULL_FATAL(traced_path);
    CU_ASSERT_EQUAL(json_object_set(root, "path", traced_path), 0);

    json_t *mounts = json_object_get(spec, "mounts");
    json_t *traced_mounts = json_object_get(traced, "mounts");
    CU_ASSERT_EQUAL(json_array_size(mounts), json_array_size(traced_mounts));
    size_t index;
    json_t *mount;
    json_array_foreach(mounts, index, mount) {
        json_t *traced_mount = json_array_get(traced_mounts, index);
        static const char *const rewritten[] = {"type", "source"};
        for (size_t i = 0; i < 2; i++) {
            json_t *value = json_object_get(traced_mount, rewritten[i]);
            if (value != NULL)
                CU_ASSERT_EQUAL(json_object_set(mount, rewritten[i], value), 0);
        }
    }

    json_t *devices = json_object_get(json_object_get(spec, "windows"), "devices");
    json_t *traced_devices = json_object_get(json_object_get(traced, "windows"), "devices");
    json_t *device;
    json_array_foreach(devices, index, device) {
        json_t *id = json_object_get(json_array_get(traced_devices, index), "id");
        if (id != NULL)
            CU_ASSERT_EQUAL(json_object_set(device, "id", id), 0);
    }
}

static void check_corpus_case(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "tests/conformance/cases/%s.json", name);
    json_t *conformance_case = test_load_json(path);
    snprintf(path, sizeof path, "tests/conformance/expected/%s.json", name);
    json_t *trace = test_load_json(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(conformance_case);
    CU_ASSERT_PTR_NOT_NULL_FATAL(trace);

    json_t *expected = trace_hosted_system(trace);
    CU_ASSERT_PTR_NOT_NULL_FATAL(expected);
    json_t *spec = json_deep_copy(json_object_get(conformance_case, "spec"));
    apply_allocation(spec, json_object_get(expected, "OciSpecification"));
    const char *id = json_string_value(
        json_object_get(json_object_get(conformance_case, "options"), "id"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(id);
    char container_root[128];
    snprintf(container_root, sizeof container_root, "/run/gcs/c/%s", id);

    json_t *document = NULL;
    hcsoci_error *error = NULL;
    CU_ASSERT_EQUAL(lcow_hosted_system_document(spec, false, container_root, &document, &error), 0);
    if (error != NULL) {
        fprintf(stderr, "\n  %s: %s\n", name, error->message);
        hcsoci_error_free(error);
    }
    if (!json_equal(document, expected)) {
        char *actual_text = document != NULL ? dump(document) : strdup("(none)");
        char *expected_text = dump(expected);
        fprintf(stderr, "\n  %s\n  actual:   %s\n  expected: %s\n", name, actual_text,
                expected_text);
        free(actual_text);
        free(expected_text);
        CU_FAIL("the hosted-system document differs from the trace");
    }
    json_decref(document);
    json_decref(spec);
    json_decref(trace);
    json_decref(conformance_case);
}

static void test_corpus_basic_case_068(void)
{
    check_corpus_case("068-lcow-basic-vpmem");
}

static void test_corpus_cleanup_case_069(void)
{
    check_corpus_case("069-lcow-spec-cleanup");
}

static void test_corpus_other_lcow_cases(void)
{
    static const char *const names[] = {
        "070-lcow-layers-scsi-devices-physically-backed",
        "073-lcow-plan9-root",
        "074-lcow-mounts",
        "077-lcow-network-create-namespace",
        "078-lcow-network-given-namespace-no-guest-ns-support",
        "079-lcow-gpu-device",
        "085-lcow-fail-create",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        check_corpus_case(names[i]);
}

int main(void)
{
    static const test_entry tests[] = {
        {"the type table is consistent", test_table_is_consistent},
        {"a spec using every field survives unchanged",
         test_full_spec_uses_every_field_and_survives_unchanged},
        {"unknown fields are dropped everywhere", test_unknown_fields_are_dropped_everywhere},
        {"fields come out in Go order", test_fields_come_out_in_go_order},
        {"omitempty drops empty values", test_omitempty_drops_empty_values},
        {"null follows Go", test_null_follows_go},
        {"keys match case-insensitively", test_keys_match_case_insensitively},
        {"interface values are float64", test_interface_values_are_float64},
        {"wrong types name the field and value", test_wrong_types_name_the_field_and_value},
        {"integers follow Go widths", test_integers_follow_go_widths},
        {"generic decode and helpers", test_decode_of_a_non_spec_type_and_root_path},
        {"cleanup of the full spec", test_full_spec_cleanup},
        {"gcs spec from the first reading matches a fresh decode",
         test_gcs_spec_of_the_normalized_spec_matches_a_fresh_one},
        {"rule: hooks removed", test_rule_hooks_removed},
        {"rule: cgroupsPath and seccomp cleared", test_rule_cgroups_path_and_seccomp_cleared},
        {"rule: resource sections removed", test_rule_resource_sections_removed},
        {"rule: windows reduced", test_rule_windows_reduced},
        {"rules need a linux section", test_rules_need_a_linux_section},
        {"hosted document wraps the spec", test_hosted_document_wraps_the_spec},
        {"corpus: 068 basic", test_corpus_basic_case_068},
        {"corpus: 069 spec cleanup", test_corpus_cleanup_case_069},
        {"corpus: other LCOW cases", test_corpus_other_lcow_cases},
        {NULL, NULL},
    };
    return test_run_suite("lcow spec", tests);
}
