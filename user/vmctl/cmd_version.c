// SPDX-License-Identifier: GPL-2.0-or-later
/* vmctl version: versions of the tool, the library and the kernel module. */
#include <getopt.h>
#include <stdbool.h>
#include <string.h>

#include <json-c/json.h>

#include "vmctl-tool.h"

struct version_report {
	bool have_module;		/* the ioctl answered */
	bool have_module_version;	/* netlink answered */
	struct vmctl_version v;
	int err;			/* first error, 0 if none */
	const char *err_what;		/* what failed with err */
};

static void version_help(FILE *out)
{
	fprintf(out,
		"Usage: %s version [OPTIONS]\n"
		"\n"
		"Show the versions of the vmctl tool, of libvmctl and of the loaded\n"
		"kernel module, with the ABI version and the features of the module.\n"
		"\n"
		"Options:\n"
		"  -j, --json  print JSON\n"
		"  -h, --help  show this help and exit\n", program_name);
}

static void version_collect(struct vmctl_ctx *ctx, struct version_report *r)
{
	struct vmctl_version nv;
	int err;

	err = vmctl_get_version(ctx, &r->v);
	if (err < 0) {
		r->err = err;
		r->err_what = "VMCTL_IOC_API";
		return;
	}
	r->have_module = true;

	if (!(r->v.features & VMCTL_FEATURE_NETLINK))
		return;

	err = vmctl_nl_get_version(ctx, &nv);
	if (err < 0) {
		r->err = err;
		r->err_what = "netlink GET_VERSION";
		return;
	}
	memcpy(r->v.module_version, nv.module_version, sizeof(r->v.module_version));
	r->have_module_version = true;
}

static void feature_label(char *buf, size_t len, unsigned int bit)
{
	const char *name = vmctl_feature_name(1ULL << bit);

	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "bit%u", bit);
}

static void version_print_text(const struct version_report *r)
{
	char label[16];
	unsigned int bit;

	printf("tool:      %s %s\n", program_name, VERSION);
	printf("library:   libvmctl %s\n", vmctl_library_version());
	if (!r->have_module)
		return;

	if (r->have_module_version)
		printf("module:    %s %s\n", VMCTL_MODULE_NAME, r->v.module_version);
	else
		printf("module:    %s (version unknown)\n", VMCTL_MODULE_NAME);
	printf("abi:       %u\n", r->v.abi_version);
	printf("features: ");
	for (bit = 0; bit < 64; bit++) {
		if (!(r->v.features & (1ULL << bit)))
			continue;
		feature_label(label, sizeof(label), bit);
		printf(" %s", label);
	}
	printf("%s (0x%llx)\n", r->v.features ? "" : " none",
	       (unsigned long long)r->v.features);
}

static struct json_object *version_module_json(const struct version_report *r)
{
	struct json_object *mod, *features;
	char label[16];
	unsigned int bit;

	mod = json_object_new_object();
	features = json_object_new_array();
	for (bit = 0; bit < 64; bit++) {
		if (!(r->v.features & (1ULL << bit)))
			continue;
		feature_label(label, sizeof(label), bit);
		json_object_array_add(features, json_object_new_string(label));
	}

	json_object_object_add(mod, "version", r->have_module_version ?
			       json_object_new_string(r->v.module_version) : NULL);
	json_object_object_add(mod, "abi_version", json_object_new_int64(r->v.abi_version));
	json_object_object_add(mod, "features", features);
	json_object_object_add(mod, "features_mask", json_object_new_uint64(r->v.features));
	return mod;
}

static int version_print_json(const struct version_report *r)
{
	struct json_object *root;
	int ret = 0;

	root = json_object_new_object();
	if (!root)
		return -1;
	json_object_object_add(root, "tool_version", json_object_new_string(VERSION));
	json_object_object_add(root, "library_version",
			       json_object_new_string(vmctl_library_version()));
	json_object_object_add(root, "module", r->have_module ? version_module_json(r) : NULL);

	if (puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
						JSON_C_TO_STRING_SPACED |
						JSON_C_TO_STRING_NOSLASHESCAPE)) < 0)
		ret = -1;
	json_object_put(root);
	return ret;
}

static int version_run(struct vmctl_ctx *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct version_report r = { 0 };
	bool json = false;
	int opt;

	while ((opt = getopt_long(argc, argv, ":jh", options, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'h':
			version_help(stdout);
			return EXIT_OK;
		default:
			return option_error(&cmd_version, argv, opt);
		}
	}
	if (optind < argc)
		return usage_error(&cmd_version, "unexpected argument \"%s\"", argv[optind]);

	version_collect(ctx, &r);

	if (json) {
		if (version_print_json(&r) < 0) {
			print_error("cannot print JSON");
			return EXIT_ERROR;
		}
	} else {
		version_print_text(&r);
	}
	fflush(stdout);

	if (r.err)
		return report_error(ctx, r.err_what, r.err);
	return EXIT_OK;
}

const struct vmctl_cmd cmd_version = {
	.name = "version",
	.summary = "show tool, library and kernel module versions",
	.help = version_help,
	.run = version_run,
};
