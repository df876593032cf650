// SPDX-License-Identifier: GPL-2.0-or-later
/* vmctl module status|load|unload: the kernel module, through libkmod. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "format.h"
#include "render.h"
#include "vmctl-tool.h"

#define SYS_MODULE	"/sys/module/" VMCTL_MODULE_NAME

static void module_help(FILE *out)
{
	fprintf(out,
		"Usage: %s module status [-j] [-n]\n"
		"       %s module load [--path KO] [PARAM=VALUE...]\n"
		"       %s module unload\n"
		"\n"
		"Show, load or unload the vmctl kernel module (through libkmod).\n"
		"\n"
		"  status  whether the module is loaded, its version, reference count,\n"
		"          holders, parameters (/sys/module/vmctl/parameters), the module\n"
		"          file installed for the running kernel and the device node\n"
		"  load    load it as modprobe does (the module installed by \"make install\"\n"
		"          or dkms, with the options of /etc/modprobe.d), or insert the file\n"
		"          KO given with --path (as insmod); PARAM=VALUE are module parameters\n"
		"  unload  unload it (as rmmod); fails while a process uses /dev/vmctl\n"
		"\n"
		"Loading and unloading need root (CAP_SYS_MODULE).\n"
		"\n"
		"Options:\n"
		"  -p, --path KO    (load) insert this module file instead of the installed one\n"
		"  -j, --json       (status) print JSON\n"
		"  -n, --no-header  (status) accepted for symmetry; status has no header\n"
		"  -h, --help       show this help and exit\n"
		"\n"
		"Exit status:\n"
		"  0  success (status: whether or not the module is loaded)\n"
		"  1  error: already loaded, not loaded, in use, not installed, permission\n"
		"     denied, module built for another kernel, ...\n"
		"  2  usage error\n", program_name, program_name, program_name);
}

/* Print why loading or unloading failed, with the fix. Returns EXIT_ERROR. */
static int module_error(const char *what, const char *path, int err)
{
	struct utsname u;

	if (uname(&u) < 0)
		strcpy(u.release, "?");
	switch (err) {
	case -EEXIST:
		print_error("module vmctl is already loaded; unload it first with "
			    "\"%s module unload\"", program_name);
		break;
	case -ENODEV:
		print_error("module vmctl is not loaded");
		break;
	case -ENOENT:
		if (path)
			print_error("cannot load %s: no such file", path);
		else
			print_error("module vmctl is not installed for kernel %s: run "
				    "\"sudo make install KVER=%s\" or \"sudo make dkms-install\" "
				    "in the vmctl source tree, or give the file with --path KO",
				    u.release, u.release);
		break;
	case -ENOEXEC:
		print_error("cannot load %s: not a module for the running kernel %s "
			    "(\"modinfo -F vermagic\" shows which it was built for); "
			    "rebuild it with \"make module KVER=%s\"",
			    path ?: "vmctl", u.release, u.release);
		break;
	case -EPERM:
	case -EACCES:
		print_error("%s vmctl: permission denied; run as root (needs CAP_SYS_MODULE)",
			    what);
		break;
	case -EBUSY:
		print_error("module vmctl is in use: a process has %s open or holds a "
			    "reservation; \"fuser -v %s\" shows which", VMCTL_DEVICE_PATH,
			    VMCTL_DEVICE_PATH);
		break;
	case -EINVAL:
		if (path && !strcmp(what, "load"))
			print_error("cannot load %s: not the vmctl module, or an invalid "
				    "parameter (\"modinfo -p %s\" lists them; see dmesg)",
				    path, path);
		else
			print_error("cannot %s vmctl: invalid argument (see dmesg)", what);
		break;
	default:
		print_error("cannot %s vmctl: %s (%d)", what, strerror(-err), err);
	}
	return EXIT_ERROR;
}

/* Sorted names of the entries of directory @dir, NULL-terminated; NULL if none. */
static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **dir_names(const char *dir, size_t *n)
{
	struct dirent *de;
	char **names = NULL, **tmp;
	DIR *d;

	*n = 0;
	d = opendir(dir);
	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		tmp = realloc(names, (*n + 1) * sizeof(*names));
		if (!tmp)
			break;
		names = tmp;
		names[*n] = strdup(de->d_name);
		if (!names[*n])
			break;
		(*n)++;
	}
	closedir(d);
	if (names)
		qsort(names, *n, sizeof(*names), name_cmp);
	return names;
}

static void free_names(char **names, size_t n)
{
	while (n)
		free(names[--n]);
	free(names);
}

/* Value of a module parameter, "" if unreadable (some are write-only). */
static void param_value(const char *name, char *buf, size_t size)
{
	char path[512];
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), SYS_MODULE "/parameters/%s", name);
	f = fopen(path, "re");
	if (!f)
		return;
	if (!fgets(buf, (int)size, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

struct devnode {
	bool exists;
	unsigned int major, minor;
	unsigned int mode;
	uid_t uid;
	gid_t gid;
	char sys_dev[32];	/* /sys/class/misc/vmctl/dev, "" if absent */
};

static void devnode_get(struct devnode *d)
{
	struct stat st;
	FILE *f;

	memset(d, 0, sizeof(*d));
	if (stat(VMCTL_DEVICE_PATH, &st) == 0 && S_ISCHR(st.st_mode)) {
		d->exists = true;
		d->major = major(st.st_rdev);
		d->minor = minor(st.st_rdev);
		d->mode = st.st_mode & 07777;
		d->uid = st.st_uid;
		d->gid = st.st_gid;
	}
	f = fopen("/sys/class/misc/" VMCTL_DEVICE_NAME "/dev", "re");
	if (f) {
		if (!fgets(d->sys_dev, sizeof(d->sys_dev), f))
			d->sys_dev[0] = '\0';
		d->sys_dev[strcspn(d->sys_dev, "\n")] = '\0';
		fclose(f);
	}
}

static int status_json(const struct vmctl_module_info *mi, char **holders, size_t nholders,
		       char **params, size_t nparams, const struct devnode *dev)
{
	struct json_object *o = json_object_new_object(), *a, *p, *d;
	char buf[256];
	size_t i;

	json_object_object_add(o, "loaded", json_object_new_boolean(
				       mi->state != VMCTL_MODULE_NOT_LOADED));
	json_object_object_add(o, "state",
			       json_object_new_string(vmctl_module_state_name(mi->state) ?: "?"));
	json_object_object_add(o, "version", mi->version[0] ?
			       json_object_new_string(mi->version) : NULL);
	json_object_object_add(o, "srcversion", mi->srcversion[0] ?
			       json_object_new_string(mi->srcversion) : NULL);
	json_object_object_add(o, "refcount", mi->refcount >= 0 ?
			       json_object_new_int(mi->refcount) : NULL);
	json_object_object_add(o, "size_bytes", mi->size ?
			       json_object_new_uint64(mi->size) : NULL);
	a = json_object_new_array();
	for (i = 0; i < nholders; i++)
		json_object_array_add(a, json_object_new_string(holders[i]));
	json_object_object_add(o, "holders", a);
	p = json_object_new_object();
	for (i = 0; i < nparams; i++) {
		param_value(params[i], buf, sizeof(buf));
		json_object_object_add(p, params[i], json_object_new_string(buf));
	}
	json_object_object_add(o, "parameters", p);
	json_object_object_add(o, "installed_path", mi->path[0] ?
			       json_object_new_string(mi->path) : NULL);
	d = json_object_new_object();
	json_object_object_add(d, "path", json_object_new_string(VMCTL_DEVICE_PATH));
	json_object_object_add(d, "exists", json_object_new_boolean(dev->exists));
	if (dev->exists) {
		snprintf(buf, sizeof(buf), "%u:%u", dev->major, dev->minor);
		json_object_object_add(d, "dev", json_object_new_string(buf));
		json_object_object_add(d, "mode", json_object_new_int((int)dev->mode));
		json_object_object_add(d, "uid", json_object_new_int((int)dev->uid));
		json_object_object_add(d, "gid", json_object_new_int((int)dev->gid));
	}
	json_object_object_add(o, "device", d);
	return print_json(stdout, o);
}

static void status_text(const struct vmctl_module_info *mi, char **holders, size_t nholders,
			char **params, size_t nparams, const struct devnode *dev)
{
	char buf[256];
	struct utsname u;
	size_t i;

	if (uname(&u) < 0)
		strcpy(u.release, "?");
	printf("module:      %s\n", VMCTL_MODULE_NAME);
	printf("state:       %s\n", vmctl_module_state_name(mi->state) ?: "?");
	if (mi->state != VMCTL_MODULE_NOT_LOADED) {
		printf("version:     %s\n", mi->version[0] ? mi->version : "-");
		printf("srcversion:  %s\n", mi->srcversion[0] ? mi->srcversion : "-");
		if (mi->refcount >= 0)
			printf("refcount:    %d\n", mi->refcount);
		else
			printf("refcount:    -\n");
		printf("size:        %s\n",
		       mi->size ? format_size(buf, sizeof(buf), mi->size) : "-");
		printf("holders:     ");
		for (i = 0; i < nholders; i++)
			printf("%s%s", i ? ", " : "", holders[i]);
		printf("%s\n", nholders ? "" : "none");
		printf("parameters:  %s\n", nparams ? "" : "none");
		for (i = 0; i < nparams; i++) {
			param_value(params[i], buf, sizeof(buf));
			printf("  %s = %s\n", params[i], buf);
		}
	}
	printf("installed:   %s\n", mi->path[0] ? mi->path : "no (no vmctl module for this kernel)");
	printf("kernel:      %s\n", u.release);
	if (dev->exists)
		printf("device:      %s (char %u:%u, mode %04o, uid %u, gid %u)\n",
		       VMCTL_DEVICE_PATH, dev->major, dev->minor, dev->mode,
		       (unsigned int)dev->uid, (unsigned int)dev->gid);
	else if (dev->sys_dev[0])
		printf("device:      %s missing (the module registered %s; check udev)\n",
		       VMCTL_DEVICE_PATH, dev->sys_dev);
	else
		printf("device:      %s absent\n", VMCTL_DEVICE_PATH);
}

static int module_status(struct vmctl_ctx *ctx, bool json)
{
	struct vmctl_module_info mi;
	char **holders, **params;
	size_t nholders, nparams;
	struct devnode dev;
	int err, ret = EXIT_OK;

	err = vmctl_module_info(ctx, &mi);
	if (err < 0) {
		print_error("cannot read the module state through libkmod: %s (%d)",
			    strerror(-err), err);
		return EXIT_ERROR;
	}
	holders = dir_names(SYS_MODULE "/holders", &nholders);
	params = dir_names(SYS_MODULE "/parameters", &nparams);
	devnode_get(&dev);

	if (json) {
		if (status_json(&mi, holders, nholders, params, nparams, &dev) < 0) {
			print_error("cannot print JSON");
			ret = EXIT_ERROR;
		}
	} else {
		status_text(&mi, holders, nholders, params, nparams, &dev);
	}
	free_names(holders, nholders);
	free_names(params, nparams);
	return ret;
}

/* PARAM=VALUE arguments joined with spaces; NULL when there are none. */
static char *join_options(int argc, char **argv)
{
	size_t len = 1;
	char *s;
	int i;

	if (argc == 0)
		return NULL;
	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	if (!s)
		return NULL;
	for (i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

static int module_run(struct vmctl_ctx *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{ "path", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "no-header", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const char *action, *path = NULL;
	bool json = false;
	char *opts;
	int opt, err, i;

	while ((opt = getopt_long(argc, argv, ":p:jnh", options, NULL)) != -1) {
		switch (opt) {
		case 'p':
			path = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'n':
			break;
		case 'h':
			module_help(stdout);
			return EXIT_OK;
		default:
			return option_error(&cmd_module, argv, opt);
		}
	}
	if (optind >= argc)
		return usage_error(&cmd_module, "missing action: status, load or unload");
	action = argv[optind++];

	if (!strcmp(action, "status")) {
		if (optind < argc)
			return usage_error(&cmd_module, "unexpected argument \"%s\"", argv[optind]);
		if (path)
			return usage_error(&cmd_module, "--path only goes with \"load\"");
		return module_status(ctx, json);
	}
	if (json)
		return usage_error(&cmd_module, "--json only goes with \"status\"");

	if (!strcmp(action, "load")) {
		for (i = optind; i < argc; i++)
			if (!strchr(argv[i], '=') || argv[i][0] == '=')
				return usage_error(&cmd_module,
						   "invalid parameter \"%s\": expected NAME=VALUE",
						   argv[i]);
		opts = join_options(argc - optind, argv + optind);
		if (argc > optind && !opts) {
			print_error("out of memory");
			return EXIT_ERROR;
		}
		err = vmctl_module_load(ctx, path, opts);
		free(opts);
		if (err < 0)
			return module_error("load", path, err);
		printf("module vmctl loaded%s%s\n", path ? " from " : "", path ?: "");
		return EXIT_OK;
	}
	if (!strcmp(action, "unload")) {
		if (optind < argc)
			return usage_error(&cmd_module, "unexpected argument \"%s\"", argv[optind]);
		if (path)
			return usage_error(&cmd_module, "--path only goes with \"load\"");
		err = vmctl_module_unload(ctx, 0);
		if (err < 0)
			return module_error("unload", NULL, err);
		printf("module vmctl unloaded\n");
		return EXIT_OK;
	}
	return usage_error(&cmd_module, "unknown action \"%s\": expected status, load or unload",
			   action);
}

const struct vmctl_cmd cmd_module = {
	.name = "module",
	.summary = "show, load or unload the vmctl kernel module",
	.help = module_help,
	.run = module_run,
};
