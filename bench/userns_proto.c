/*
 * userns_proto: a prototype, in C, of a heap-flat spawn into a new user
 * namespace, measured against what the stdlib does (and forkexec does for
 * now): fork-class clone(CLONE_NEWUSER) without CLONE_VM, whose cost grows
 * with the parent's resident memory because the kernel copies its page
 * tables.
 *
 * design=fork  clone(CLONE_NEWUSER|SIGCHLD): the child gets a copy of the
 *              address space; it blocks on a pipe until the parent has
 *              written /proc/PID/{uid_map,setgroups,gid_map}, then execs.
 *              The parent learns that exec happened from EOF on a
 *              close-on-exec error pipe. (The stdlib's sequence.)
 * design=vm    the same handshake with clone(CLONE_VM|CLONE_NEWUSER|SIGCHLD)
 *              and no CLONE_VFORK: the child runs in the parent's memory on
 *              its own small stack (a preallocated 64KiB mapping), so the
 *              parent keeps running to write the maps, and nothing is
 *              copied. The child may use the stack and read the parent's
 *              memory until its exec; the parent may reuse the stack only
 *              after EOF on the error pipe, which exec (after the switch to
 *              the new mm) or exit (after exit_mm) closes.
 * design=self clone(CLONE_VM|CLONE_VFORK|CLONE_NEWUSER|SIGCHLD), a vfork child
 *              like any other: the parent sleeps, and the child writes its own
 *              /proc/self/{uid_map,setgroups,gid_map} before exec. The kernel
 *              allows that only for a one-line map of size 1 of the caller's
 *              own euid (egid, with setgroups denied): a process in a new
 *              user namespace has no CAP_SETUID over the parent namespace
 *              (new_idmap_permitted in kernel/user_namespace.c). That is the
 *              usual "map me to root" case, and the same rule forkexec's
 *              Unshareflags path already relies on.
 * design=posix_spawn (no new user namespace) is printed for scale.
 *
 * Output is in Go benchmark format:
 *   BenchmarkUsernsProto/design=vm/heap=1GiB-2  N  X ns/op
 *
 * Usage: userns_proto -static PATH [-heap SIZE] [-t SECONDS] [-cpu N] [-check]
 *   -check  run /bin/cat /proc/self/uid_map and gid_map in the child of
 *           each design instead of benchmarking, to show the maps hold.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define STACK_SIZE (64 * 1024)

static char *envp[] = {"PATH=/usr/bin:/bin", "LANG=C", NULL};
static char **child_argv;
static const char *child_path;
static char *stack;

struct handshake {
	int map_r, map_w; /* parent -> child: maps written */
	int err_w;        /* child -> parent: exec failed (EOF: exec'd) */
};

/* The child: raw system calls only, as a vfork-class Go child must. */
static int child_fn(void *p) {
	struct handshake *h = p;
	char c;
	syscall(SYS_close, h->map_w);
	if (syscall(SYS_read, h->map_r, &c, 1) != 1)
		syscall(SYS_exit, 126);
	syscall(SYS_execve, child_path, child_argv, envp);
	int e = 1;
	syscall(SYS_write, h->err_w, &e, sizeof e);
	syscall(SYS_exit, 127);
	return 0;
}

static void write_file(int pid, const char *name, const char *data) {
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/%s", pid, name);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, data, strlen(data)) != (ssize_t)strlen(data)) {
		perror(path);
		exit(1);
	}
	close(fd);
}

static char uidmap[64], gidmap[64];

/* design=self: the vfork child writes its own maps, raw calls only */
static int self_write(const char *path, const char *data) {
	long fd = syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	long n = syscall(SYS_write, fd, data, strlen(data));
	syscall(SYS_close, fd);
	return n == (long)strlen(data) ? 0 : -1;
}

static int child_self_fn(void *p) {
	int *failed = p;
	if (self_write("/proc/self/uid_map", uidmap) || self_write("/proc/self/setgroups", "deny") ||
	    self_write("/proc/self/gid_map", gidmap)) {
		*failed = 1; /* shared memory: the parent is asleep until we exit */
		syscall(SYS_exit, 126);
	}
	syscall(SYS_execve, child_path, child_argv, envp);
	*failed = 2;
	syscall(SYS_exit, 127);
	return 0;
}

static void spawn_self(void) {
	volatile int failed = 0;
	pid_t pid = clone(child_self_fn, stack + STACK_SIZE, CLONE_VM | CLONE_VFORK | CLONE_NEWUSER | SIGCHLD,
	                  (void *)&failed);
	if (pid < 0) {
		perror("clone");
		exit(1);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			perror("waitpid");
			exit(1);
		}
	if (failed || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "self: child failed (%d), status %#x\n", failed, st);
		exit(1);
	}
}

static void spawn_userns(int vm) {
	int mp[2], ep[2];
	if (pipe2(mp, O_CLOEXEC) || pipe2(ep, O_CLOEXEC)) {
		perror("pipe2");
		exit(1);
	}
	struct handshake h = {mp[0], mp[1], ep[1]};
	int flags = CLONE_NEWUSER | SIGCHLD | (vm ? CLONE_VM : 0);
	pid_t pid = clone(child_fn, stack + STACK_SIZE, flags, &h);
	if (pid < 0) {
		perror("clone");
		exit(1);
	}
	close(mp[0]);
	close(ep[1]);
	write_file(pid, "uid_map", uidmap);
	write_file(pid, "setgroups", "deny");
	write_file(pid, "gid_map", gidmap);
	if (write(mp[1], "x", 1) != 1) {
		perror("write");
		exit(1);
	}
	close(mp[1]);
	int e, n;
	while ((n = read(ep[0], &e, sizeof e)) < 0 && errno == EINTR)
		;
	close(ep[0]);
	if (n != 0) {
		fprintf(stderr, "child failed before exec\n");
		exit(1);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			perror("waitpid");
			exit(1);
		}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "child status %#x\n", st);
		exit(1);
	}
}

static void spawn_posix(void) {
	pid_t pid;
	int st;
	if (posix_spawn(&pid, child_path, NULL, NULL, child_argv, envp)) {
		perror("posix_spawn");
		exit(1);
	}
	waitpid(pid, &st, 0);
}

static int64_t now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static double benchtime = 1;
static int cpu = 1;
static const char *heapname = "0";

static void run(const char *design, int which) {
	long n = 0;
	int64_t t0 = now_ns(), end = t0 + (int64_t)(benchtime * 1e9);
	do {
		if (which < 0)
			spawn_posix();
		else if (which == 2)
			spawn_self();
		else
			spawn_userns(which);
		n++;
	} while (now_ns() < end);
	char suffix[16] = "";
	if (cpu > 1)
		snprintf(suffix, sizeof suffix, "-%d", cpu);
	printf("BenchmarkUsernsProto/heap=%s/design=%s%s \t%8ld\t%12.0f ns/op\n", heapname, design, suffix, n,
	       (double)(now_ns() - t0) / n);
	fflush(stdout);
}

int main(int argc, char **argv) {
	int check = 0;
	const char *stat = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-check"))
			check = 1;
		else if (i + 1 < argc && !strcmp(argv[i], "-static"))
			stat = argv[++i];
		else if (i + 1 < argc && !strcmp(argv[i], "-heap"))
			heapname = argv[++i];
		else if (i + 1 < argc && !strcmp(argv[i], "-t"))
			benchtime = atof(argv[++i]);
		else if (i + 1 < argc && !strcmp(argv[i], "-cpu"))
			cpu = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: userns_proto -static PATH [-heap SIZE] [-t SECONDS] [-cpu N] [-check]\n");
			return 2;
		}
	}
	snprintf(uidmap, sizeof uidmap, "0 %d 1\n", (int)getuid());
	snprintf(gidmap, sizeof gidmap, "0 %d 1\n", (int)getgid());
	stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	if (check) {
		static char *cat[] = {"/bin/cat", "/proc/self/uid_map", "/proc/self/gid_map", "/proc/self/setgroups", NULL};
		child_path = cat[0];
		child_argv = cat;
		printf("design=fork:\n");
		fflush(stdout);
		spawn_userns(0);
		printf("design=vm:\n");
		fflush(stdout);
		spawn_userns(1);
		printf("design=self:\n");
		fflush(stdout);
		spawn_self();
		return 0;
	}
	if (!stat) {
		fprintf(stderr, "userns_proto: -static PATH is required\n");
		return 2;
	}
	static char *av[2];
	av[0] = (char *)stat;
	child_path = stat;
	child_argv = av;

	long long hsize = strtoll(heapname, NULL, 10);
	if (strstr(heapname, "GiB"))
		hsize <<= 30;
	else if (strstr(heapname, "MiB"))
		hsize <<= 20;
	if (hsize > 0) {
		char *h = mmap(NULL, hsize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (h == MAP_FAILED) {
			perror("mmap heap");
			return 1;
		}
		madvise(h, hsize, MADV_NOHUGEPAGE);
		madvise(h, hsize, MADV_POPULATE_WRITE);
		for (long long i = 0; i < hsize; i += 4096)
			h[i] = 1;
	}
	spawn_userns(1); /* warm up */
	spawn_self();
	for (int i = 0; i < 2; i++) {
		run("vm", 1);
		run("self", 2);
		run("fork", 0);
		run("posix_spawn", -1);
	}
	return 0;
}
