/*
 * cprobe reports the descriptors and signal state it inherited, before
 * anything of its own changes them: a Go program cannot, because the Go
 * runtime opens /dev/null over a closed 0, 1 or 2, keeps cgroup files open
 * and installs signal handlers before main runs.
 *
 * Usage: cprobe OUTFD. It writes to descriptor OUTFD one line per open
 * descriptor, "fd N CLOEXEC TARGET" (CLOEXEC is 0 or 1), leaving out OUTFD
 * and its own directory descriptor, then the lines "SigBlk: ..." and
 * "SigIgn: ..." of /proc/self/status, then "nofile CUR MAX" (its soft and
 * hard RLIMIT_NOFILE), "ids PID PPID PGID SID", "pdeathsig SIGNUM",
 * "userns TARGET" (of /proc/self/ns/user), "cwd PATH" and one
 * "env VAR=VALUE" line per environment variable. Lines that do not fit in its buffer are left out,
 * environment last.
 *
 * Usage: cprobe -o PATH: the same, written to a new file PATH (opened after
 * the descriptors are listed), for tests whose descriptor table must hold
 * only what they pass.
 *
 * Usage: cprobe -block SIGNUM PROGRAM ARGS...: block SIGNUM, then exec
 * PROGRAM, which so starts with the signal blocked, as a Go program can
 * only be: the Go runtime gives its threads the mask the process started
 * with.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

extern char **environ;

static char buf[1 << 16];
static size_t n;

/* add appends a line to buf if it fits whole, and reports whether it did. */
static int add(const char *format, ...) {
	va_list ap;
	int len;

	va_start(ap, format);
	len = vsnprintf(buf + n, sizeof buf - n, format, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= sizeof buf - n) {
		buf[n] = 0;
		return 0;
	}
	n += len;
	return 1;
}

int main(int argc, char **argv) {
	char path[64], target[4096];
	int out, fd, dfd;
	DIR *d;
	struct dirent *e;
	ssize_t len;
	FILE *status;
	struct rlimit lim;
	char **env;
	int sig = 0;

	if (argc >= 4 && strcmp(argv[1], "-block") == 0) {
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, atoi(argv[2]));
		sigprocmask(SIG_BLOCK, &set, NULL);
		execv(argv[3], argv + 3);
		return 5;
	}
	if (argc == 3 && strcmp(argv[1], "-o") == 0)
		out = -1;
	else if (argc == 2)
		out = atoi(argv[1]);
	else
		return 2;
	/* Read the status first: opendir and stdio below change nothing in it. */
	status = fopen("/proc/self/status", "re");
	d = opendir("/proc/self/fd");
	if (d == NULL || status == NULL)
		return 3;
	dfd = dirfd(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		fd = atoi(e->d_name);
		if (fd == dfd || fd == out || fd == fileno(status))
			continue;
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		len = readlink(path, target, sizeof target - 1);
		target[len < 0 ? 0 : len] = 0;
		if (!add("fd %d %d %s\n", fd, (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0, target))
			break;
	}
	while (fgets(target, sizeof target, status) != NULL)
		if (strncmp(target, "SigBlk:", 7) == 0 || strncmp(target, "SigIgn:", 7) == 0)
			add("%s", target);
	if (getrlimit(RLIMIT_NOFILE, &lim) == 0)
		add("nofile %llu %llu\n", (unsigned long long)lim.rlim_cur, (unsigned long long)lim.rlim_max);
	add("ids %d %d %d %d\n", (int)getpid(), (int)getppid(), (int)getpgid(0), (int)getsid(0));
	if (prctl(PR_GET_PDEATHSIG, &sig) == 0)
		add("pdeathsig %d\n", sig);
	len = readlink("/proc/self/ns/user", target, sizeof target - 1);
	if (len > 0) {
		target[len] = 0;
		add("userns %s\n", target);
	}
	if (getcwd(target, sizeof target) != NULL)
		add("cwd %s\n", target);
	for (env = environ; *env != NULL && add("env %s\n", *env); env++)
		;
	if (out < 0 && (out = open(argv[2], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
		return 6;
	if (write(out, buf, n) != (ssize_t)n)
		return 4;
	return 0;
}
