/* LD_PRELOAD shim used by benches/parse_vs_conf.rs to time the kernel's own `conf` without its
 * toolchain probes. It is active only in a process whose executable is named `conf`; there
 * it measures the wall time from load to exit, the wall time between each popen() and its
 * pclose() (one $(shell,...) probe: fork, exec of /bin/sh, the compiler run, reading its
 * output), and conf's own CPU time and peak memory (RUSAGE_SELF, which excludes its children:
 * the probes' compiler runs are bigger than conf itself). scripts/bench also preloads it into
 * kpossible and Kconfiglib (CONF_TIMER_EXE names the executable to measure) for their own
 * peak memory. */
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
	t0 = now();
}

FILE *popen(const char *cmd, const char *mode)
{
	static FILE *(*real)(const char *, const char *);

	if (!real)
		real = (FILE * (*)(const char *, const char *)) dlsym(RTLD_NEXT, "popen");
	if (active) {
		probe_start = now();
		probes++;
	}
	return real(cmd, mode);
}

int pclose(FILE *f)
{
	static int (*real)(FILE *);
	int r;

	if (!real)
		real = (int (*)(FILE *)) dlsym(RTLD_NEXT, "pclose");
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
