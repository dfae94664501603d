/*
 * posix_spawn_bench: the C baseline for forkexec's benchmarks. glibc's
 * posix_spawn clones with CLONE_VM|CLONE_VFORK, the design forkexec copies.
 *
 * It runs the cases of forkexec/bench_test.go that posix_spawn can express
 * and prints them in Go benchmark format with impl=posix_spawn, so that
 * benchstat pairs them with the Go results:
 *
 *   BenchmarkSpawnWait/prog=static/attr=none/heap=0/par=1/impl=posix_spawn-2  N  X ns/op
 *
 * Usage: posix_spawn_bench -static PATH [-heap NAME] [-t SECONDS] [-cpu N] [-only S]
 *   -static  the static no-op program (prog=static); prog=true is /bin/true
 *   -heap    heap size made resident before timing: 0, 1GiB, 4GiB, ...
 *   -t       seconds per case (default 1)
 *   -cpu     the -N suffix Go prints (its GOMAXPROCS); 1 prints none
 *   -only    run only the cases whose name contains S (e.g. par=8), so that
 *            a process measured from outside (perf stat) runs nothing else
 *
 * Cases: spawn+wait (1 and 8 threads, static and /bin/true), the spawn call
 * alone (waitpid untimed), and attr=closefds: 1000 extra close-on-exec
 * descriptors with posix_spawn_file_actions_addclosefrom_np(3), glibc's
 * CloseFDs. posix_spawn has no CLONE_NEWUSER or Pdeathsig, so those cases
 * have no baseline.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static char *envp[] = {"PATH=/usr/bin:/bin", "LANG=C", NULL};
static double benchtime = 1.0;
static int cpu = 1;
static const char *heapname = "0";
static const char *only; /* -only: a substring of the case names to run */

static int64_t now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void die(const char *what, int err) {
	fprintf(stderr, "posix_spawn_bench: %s: %s\n", what, strerror(err));
	exit(1);
}

struct kase {
	const char *path;
	posix_spawn_file_actions_t *fa;
	int calls_only; /* time only posix_spawn */
	atomic_long next;
	int64_t deadline;
	atomic_llong timed; /* ns spent in posix_spawn, calls_only */
};

static void reap(pid_t pid) {
	int st;
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			die("waitpid", errno);
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "posix_spawn_bench: child status %#x\n", st);
		exit(1);
	}
}

/* one spawn(+wait) */
static void once(struct kase *k) {
	char *argv[] = {(char *)k->path, NULL};
	pid_t pid;
	int64_t t0 = k->calls_only ? now_ns() : 0;
	int err = posix_spawn(&pid, k->path, k->fa, NULL, argv, envp);
	if (k->calls_only)
		atomic_fetch_add(&k->timed, now_ns() - t0);
	if (err)
		die("posix_spawn", err);
	reap(pid);
}

static void *worker(void *arg) {
	struct kase *k = arg;
	/* check the clock every iteration: each is ~1ms */
	while (now_ns() < k->deadline) {
		once(k);
		atomic_fetch_add(&k->next, 1);
	}
	return NULL;
}

static void run(const char *bench, const char *prog, const char *attr, const char *path,
                posix_spawn_file_actions_t *fa, int par, int calls_only) {
	char name[256];
	snprintf(name, sizeof name, "%s/prog=%s/attr=%s/heap=%s/par=%d", bench, prog, attr, heapname, par);
	if (only && !strstr(name, only))
		return;
	struct kase k = {.path = path, .fa = fa, .calls_only = calls_only};
	pthread_t th[64];
	once(&k); /* warm up, as Go's run of b.N=1 */
	atomic_store(&k.timed, 0);
	int64_t t0 = now_ns();
	k.deadline = t0 + (int64_t)(benchtime * 1e9);
	for (int i = 0; i < par; i++)
		if (pthread_create(&th[i], NULL, worker, &k))
			die("pthread_create", errno);
	for (int i = 0; i < par; i++)
		pthread_join(th[i], NULL);
	int64_t wall = now_ns() - t0;
	long n = atomic_load(&k.next);
	double ns = calls_only ? (double)atomic_load(&k.timed) / n : (double)wall / n;
	char suffix[16] = "";
	if (cpu > 1)
		snprintf(suffix, sizeof suffix, "-%d", cpu);
	printf("Benchmark%s/impl=posix_spawn%s \t%8ld\t%12.0f ns/op\n", name, suffix, n, ns);
	fflush(stdout);
}

static long long parse_size(const char *s) {
	char *end;
	long long n = strtoll(s, &end, 10);
	if (!strcmp(end, "GiB"))
		n <<= 30;
	else if (!strcmp(end, "MiB"))
		n <<= 20;
	else if (!strcmp(end, "KiB"))
		n <<= 10;
	else if (*end) {
		fprintf(stderr, "posix_spawn_bench: bad size %s\n", s);
		exit(2);
	}
	return n;
}

int main(int argc, char **argv) {
	const char *stat = NULL;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "-static"))
			stat = argv[i + 1];
		else if (!strcmp(argv[i], "-heap"))
			heapname = argv[i + 1];
		else if (!strcmp(argv[i], "-t"))
			benchtime = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "-cpu"))
			cpu = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "-only"))
			only = argv[i + 1];
		else {
			fprintf(stderr, "usage: posix_spawn_bench -static PATH [-heap SIZE] [-t SECONDS] [-cpu N] [-only S]\n");
			return 2;
		}
	}
	if (!stat) {
		fprintf(stderr, "posix_spawn_bench: -static PATH is required\n");
		return 2;
	}

	/* the resident heap */
	long long hsize = parse_size(heapname);
	if (hsize > 0) {
		char *h = mmap(NULL, hsize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (h == MAP_FAILED)
			die("mmap heap", errno);
		madvise(h, hsize, MADV_NOHUGEPAGE); /* as the Go heap: 4KiB pages */
		madvise(h, hsize, MADV_POPULATE_WRITE);
		for (long long i = 0; i < hsize; i += 4096)
			h[i] = 1;
	}

	run("SpawnWait", "static", "none", stat, NULL, 1, 0);
	run("SpawnWait", "static", "none", stat, NULL, 8, 0);
	run("SpawnWait", "true", "none", "/bin/true", NULL, 1, 0);
	run("SpawnWait", "true", "none", "/bin/true", NULL, 8, 0);
	run("Spawn", "static", "none", stat, NULL, 1, 1);

	/* 1000 extra close-on-exec descriptors, closed in the child */
	int fds[1000];
	for (int i = 0; i < 1000; i++)
		if ((fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
			die("open /dev/null", errno);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	run("SpawnWait", "static", "closefds", stat, &fa, 1, 0);
	run("Spawn", "static", "closefds", stat, &fa, 1, 1);
	posix_spawn_file_actions_destroy(&fa);
	for (int i = 0; i < 1000; i++)
		close(fds[i]);
	return 0;
}
