/* LD_PRELOAD shim used by benches/parse_vs_conf.rs to time the kernel's own `conf` without its
 * toolchain probes. It is active only in a process whose executable is named `conf`; there
 * it measures the wall time from load to exit, the wall time between each popen() and its
 * pclose() (one $(shell,...) probe: fork, exec of /bin/sh, the compiler run, reading its
 * output), and conf's own CPU time and peak memory (RUSAGE_SELF, which excludes its children:
 * the probes' compiler runs are bigger than conf itself). scripts/bench also preloads it into
 * kpossible and Kconfiglib (CONF_TIMER_EXE names the executable to measure) for their own
 * peak memory.
 *
 * Replay: with CONF_TIMER_RECORD=FILE, each probe runs and its command and output are
 * appended to FILE; with CONF_TIMER_REPLAY=FILE, a probe recorded there is not run: popen()
 * returns its recorded output from memory. A replayed conf does exactly the work it does with
 * probes (the same output, the same configuration) minus the probes themselves, including
 * what they cost conf's own process: the fork in popen(), and the caches the compiler runs
 * evict in between. A command not in FILE runs as usual and counts as a probe. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static int active, probes;
static double t0, probe_start, probe_wall;

/* Recorded probes: command, output (NUL-separated pairs in the file). */
struct recorded {
	char *cmd, *out;
	size_t out_len;
};
static struct recorded *replay;
static size_t n_replay;
/* The FILE of each replayed popen() (pclose() must not hand it to the real one). */
static FILE *replayed[64];

/* Everything left to read from `f`, NUL-terminated (its length in `*len`); exits when out of
 * memory (conf would not get far either). */
static char *read_all(FILE *f, size_t *len)
{
	char *buf = calloc(1, 1), chunk[65536];
	size_t k;

	*len = 0;
	while (buf && (k = fread(chunk, 1, sizeof(chunk), f))) {
		buf = realloc(buf, *len + k + 1);
		if (buf) {
			memcpy(buf + *len, chunk, k);
			*len += k;
			buf[*len] = 0;
		}
	}
	if (!buf)
		exit(70);
	return buf;
}

static void load_replay(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t len, i = 0;

	if (!f)
		return;
	/* The whole file: pairs of NUL-terminated strings. */
	buf = read_all(f, &len);
	fclose(f);
	while (i < len) {
		char *cmd = buf + i, *out;
		size_t cl = strnlen(cmd, len - i), ol;
		if (i + cl + 1 >= len)
			break;
		out = cmd + cl + 1;
		ol = strnlen(out, len - (i + cl + 1));
		replay = realloc(replay, (n_replay + 1) * sizeof(*replay));
		if (!replay)
			exit(70);
		replay[n_replay].cmd = cmd;
		replay[n_replay].out = out;
		replay[n_replay].out_len = ol;
		n_replay++;
		i += cl + 1 + ol + 1;
	}
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

__attribute__((constructor)) static void start(void)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	const char *base;

	if (n <= 0)
		return;
	exe[n] = 0;
	base = strrchr(exe, '/');
	base = base ? base + 1 : exe;
	if (strcmp(base, getenv("CONF_TIMER_EXE") ? getenv("CONF_TIMER_EXE") : "conf"))
		return;
	active = 1;
	if (getenv("CONF_TIMER_REPLAY"))
		load_replay(getenv("CONF_TIMER_REPLAY"));
	t0 = now();
}

/* Keeps `f` among the replayed FILEs, which pclose() closes itself; 0 when all slots are
 * taken (conf reads one probe at a time, so it never has more than one open). */
static int remember(FILE *f)
{
	for (size_t i = 0; i < sizeof(replayed) / sizeof(*replayed); i++) {
		if (!replayed[i]) {
			replayed[i] = f;
			return 1;
		}
	}
	return 0;
}

FILE *popen(const char *cmd, const char *mode)
{
	static FILE *(*real)(const char *, const char *);
	const char *record = active ? getenv("CONF_TIMER_RECORD") : NULL;
	FILE *f;
	size_t i;

	if (!real)
		real = (FILE * (*)(const char *, const char *)) dlsym(RTLD_NEXT, "popen");
	for (i = 0; active && i < n_replay; i++) {
		if (strcmp(replay[i].cmd, cmd))
			continue;
		f = fmemopen(replay[i].out, replay[i].out_len, "r");
		if (f && remember(f))
			return f;
		/* Not replayable after all: the probe runs. */
		if (f)
			fclose(f);
		break;
	}
	if (active) {
		probe_start = now();
		probes++;
	}
	f = real(cmd, mode);
	if (f && record) {
		/* Read the whole output, keep it, and hand conf a copy in memory. */
		static int (*real_pclose)(FILE *);
		size_t len;
		char *out = read_all(f, &len);
		FILE *log;

		if (!real_pclose)
			real_pclose = (int (*)(FILE *)) dlsym(RTLD_NEXT, "pclose");
		real_pclose(f);
		probe_wall += now() - probe_start;
		log = fopen(record, "a");
		if (log) {
			fwrite(cmd, 1, strlen(cmd) + 1, log);
			fwrite(out, 1, strlen(out) + 1, log);
			fclose(log);
		}
		f = fmemopen(out, len, "r");
		if (f && !remember(f)) {
			/* pclose() could not tell it from a real pipe: run the probe again. */
			fclose(f);
			f = real(cmd, mode);
		}
	}
	return f;
}

int pclose(FILE *f)
{
	static int (*real)(FILE *);
	int r;

	if (!real)
		real = (int (*)(FILE *)) dlsym(RTLD_NEXT, "pclose");
	for (size_t i = 0; i < sizeof(replayed) / sizeof(*replayed); i++) {
		if (replayed[i] == f) {
			replayed[i] = NULL;
			fclose(f);
			return 0;
		}
	}
	r = real(f);
	if (active)
		probe_wall += now() - probe_start;
	return r;
}

__attribute__((destructor)) static void stop(void)
{
	struct rusage self;
	const char *path = getenv("CONF_TIMER_OUT");
	FILE *out;

	if (!active)
		return;
	getrusage(RUSAGE_SELF, &self);
	out = path ? fopen(path, "a") : stderr;
	if (!out)
		return;
	fprintf(out, "wall %.6f probe_wall %.6f probes %d self_cpu %.6f maxrss_kb %ld\n", now() - t0, probe_wall,
		probes, self.ru_utime.tv_sec + self.ru_utime.tv_usec * 1e-6 + self.ru_stime.tv_sec + self.ru_stime.tv_usec * 1e-6,
		self.ru_maxrss);
	if (out != stderr)
		fclose(out);
}
